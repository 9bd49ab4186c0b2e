import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { once } from 'node:events';
import { connect } from 'node:net';
import request, { type Response } from 'supertest';
import { OtpModule } from '../packages/nestjs-otp-verify/src/otp.module.js';
import { keysUnder, ownKeySpace, REDIS_URL } from './support/redis.js';
import { SmsOutbox } from './support/sms-outbox.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { HOST_HASH_SECRET, startHostApp } from './support/host-app.js';

const PHONE = '+447400199999';

/** Bodies a browser can send cross-site without a preflight, and others that are not JSON. */
const NOT_JSON: { contentType?: string; body: string }[] = [
  {
    contentType: 'application/x-www-form-urlencoded',
    body: `phoneNumber=${encodeURIComponent(PHONE)}`,
  },
  { contentType: 'text/plain', body: JSON.stringify({ phoneNumber: PHONE }) },
  { contentType: 'text/plain;charset=UTF-8', body: JSON.stringify({ phoneNumber: PHONE }) },
  {
    contentType: 'multipart/form-data; boundary=x',
    body: `--x\r\nContent-Disposition: form-data; name="phoneNumber"\r\n\r\n${PHONE}\r\n--x--\r\n`,
  },
  { contentType: 'application/xml', body: `<phoneNumber>${PHONE}</phoneNumber>` },
  { contentType: 'application/vnd.api+json', body: JSON.stringify({ phoneNumber: PHONE }) },
  { body: JSON.stringify({ phoneNumber: PHONE }) },
  { body: '' },
];

function send(server: unknown, path: string, contentType: string | undefined, body: string) {
  const req = request(server as Parameters<typeof request>[0]).post(path);
  // supertest sets no Content-Type for a string it is not told about.
  if (contentType) req.set('Content-Type', contentType);
  return req.send(body);
}

function expectUnsupportedMediaType(res: Response): void {
  expect(res.status).toBe(415);
  expect(res.body).toEqual({
    statusCode: 415,
    code: 'unsupported_media_type',
    message: expect.any(String),
  });
}

/** A small deterministic generator, so a failing body can be reproduced from its seed. */
function generator(seed: number) {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return { next, pick, int };
}

/** JSON text the parser accepts but no DTO can: deep nesting, long arrays, prototype keys. */
function hostileBody(seed: number): string {
  const g = generator(seed);
  const depth = g.int(1_000, 5_000);
  const open = g.pick(['[', '{"a":']);
  const close = open === '[' ? ']' : '}';
  const nested =
    open.repeat(depth) + g.pick(['1', '"x"', 'null', '[]', '{}']) + close.repeat(depth);
  const longArray = `[${Array.from({ length: g.int(500, 3_000) }, () => g.pick(['0', '"+44"', '[]', 'null'])).join(',')}]`;
  const value = g.pick([nested, longArray, '{"polluted":true}', '[1,2]']);
  const field = g.pick([
    'phoneNumber',
    'channel',
    'code',
    'extra',
    '__proto__',
    'constructor',
    'prototype',
  ]);
  switch (g.int(0, 5)) {
    case 0:
      return value;
    case 1:
      return `{"${field}":${value}}`;
    case 2:
      return `{"phoneNumber":"${PHONE}","${field}":${value}}`;
    case 3:
      return `{"phoneNumber":${value},"code":"123456"}`;
    case 4:
      // The hostile field last: JSON's last duplicate wins.
      return `{"phoneNumber":"${PHONE}","code":"123456","${field}":${value}}`;
    default:
      return `[{"phoneNumber":"${PHONE}"},${value}]`;
  }
}

const HOSTILE_BODIES = Array.from({ length: 120 }, (_, i) => ({
  seed: i + 1,
  body: hostileBody(i + 1),
}));

/** Every hostile body: 400 validation_failed (or 413 when it is over the size limit), never 5xx. */
async function expectEveryHostileBodyRefused(server: unknown, base: string): Promise<void> {
  const seen = new Map<string, number>();
  for (const { seed, body } of HOSTILE_BODIES) {
    for (const path of [`${base}/request`, `${base}/verify`]) {
      const res = await send(server, path, 'application/json', body);
      const expected = Buffer.byteLength(body) > 16 * 1024 ? 413 : 400;
      const code = expected === 400 ? 'validation_failed' : 'payload_too_large';
      if (res.status !== expected || res.body.code !== code) {
        const shown = body.length > 200 ? `${body.slice(0, 200)}...` : body;
        throw new Error(
          `seed ${seed} on ${path}: ${res.status} ${JSON.stringify(res.body)} for ${shown}`,
        );
      }
      seen.set(res.body.code, (seen.get(res.body.code) ?? 0) + 1);
    }
  }
  // The generator reaches the cases it is meant to: most bodies fit in 16 KiB and are parsed.
  expect(seen.get('validation_failed')).toBeGreaterThan(HOSTILE_BODIES.length);
}

describe('request bodies on the standalone service (Fastify)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  });
  afterAll(async () => t?.close());

  it('refuses every body that is not application/json with 415, before counting or sending', async () => {
    for (const { contentType, body } of NOT_JSON) {
      expectUnsupportedMediaType(await send(t.server, '/api/otp/request', contentType, body));
      expectUnsupportedMediaType(await send(t.server, '/api/otp/verify', contentType, body));
    }
    expect(t.outbox.messages).toEqual([]);
    // Nothing was counted: not even the client's throttle budget (3 requests) was touched.
    expect(await keysUnder(t.redis, t.prefix)).toEqual([]);
    for (const contentType of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset="UTF-8"',
    ]) {
      const res = await send(
        t.server,
        '/api/otp/request',
        contentType,
        JSON.stringify({ phoneNumber: PHONE }),
      );
      expect(res.status).toBe(202);
    }
    expect(t.outbox.sentTo(PHONE)).toBe(3);
  });

  it('answers 400 validation_failed, never 5xx, to JSON no DTO accepts (generated bodies)', async () => {
    await expectEveryHostileBodyRefused(t.server, '/api/otp');
    expect(t.outbox.messages.filter((m) => m.to !== PHONE)).toEqual([]);
  });

  it('refuses the 4,000-deep array of the contract, at the top and as a field', async () => {
    const deep = '['.repeat(4_000) + ']'.repeat(4_000);
    for (const body of [
      deep,
      `{"phoneNumber":${deep}}`,
      `{"phoneNumber":"${PHONE}","x":${deep}}`,
    ]) {
      const res = await send(t.server, '/api/otp/request', 'application/json', body).expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        code: 'validation_failed',
        message: expect.any(String),
      });
    }
  });
});

/** A host app on Express with nothing set up globally: the module refuses the same bodies. */
describe('request bodies in a host app on Express', () => {
  const { prefix, redis, release } = ownKeySpace('e2e-bodies');
  const outbox = new SmsOutbox();
  let app: INestApplication;

  beforeAll(async () => {
    // Express's own parsers for JSON and forms, as a host app typically has them.
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            hashSecret: HOST_HASH_SECRET,
            redis: { url: REDIS_URL, keyPrefix: prefix },
            resendCooldownSeconds: 0,
            rateLimit: { requestLimit: 100_000, verifyLimit: 100_000 },
          }),
        ],
      },
      outbox,
    );
  });
  afterAll(async () => {
    await app?.close();
    await release();
  });

  it('refuses every body that is not application/json with 415, before counting or sending', async () => {
    for (const { contentType, body } of NOT_JSON) {
      expectUnsupportedMediaType(
        await send(app.getHttpServer(), '/otp/request', contentType, body),
      );
    }
    expect(outbox.messages).toEqual([]);
    expect(await keysUnder(redis, prefix)).toEqual([]);
    await send(
      app.getHttpServer(),
      '/otp/request',
      'application/json',
      JSON.stringify({ phoneNumber: PHONE }),
    ).expect(202);
  });

  it('answers 400 validation_failed, never 5xx, to JSON no DTO accepts (generated bodies)', async () => {
    await expectEveryHostileBodyRefused(app.getHttpServer(), '/otp');
  });
});

/** One raw HTTP exchange: what the server wrote before it closed the connection, or the first answer. */
async function rawExchange(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(request);
  await once(socket, 'close');
  return received;
}

const ADMIN_KEY = 'admin-key-for-error-bodies-0123456789';

describe("the framework's own errors on the standalone service", () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_ADMIN_API_KEY: ADMIN_KEY } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => t?.close());

  const contractBody = (statusCode: number, code: string) => ({
    statusCode,
    code,
    message: expect.any(String),
  });

  it('answers an unknown route 404 not_found, never quoting its URL', async () => {
    const res = await request(t.server).get('/nope?api_key=key-in-the-query').expect(404);
    expect(res.body).toEqual(contractBody(404, 'not_found'));
    expect(res.text).not.toContain('key-in-the-query');
    const post = await request(t.server).post('/api/otp/nope').send({}).expect(404);
    expect(post.body).toEqual(contractBody(404, 'not_found'));
  });

  it('answers a known path with another method 405 method_not_allowed, with Allow', async () => {
    const get = await request(t.server).get('/api/otp/request').expect(405);
    expect(get.body).toEqual(contractBody(405, 'method_not_allowed'));
    expect(get.headers.allow).toBe('POST');
    const del = await request(t.server).delete('/health/live').expect(405);
    expect(del.body).toEqual(contractBody(405, 'method_not_allowed'));
  });

  it('answers a body over 16 KiB 413 payload_too_large', async () => {
    const res = await send(t.server, '/api/otp/request', 'application/json', 'x'.repeat(17_000));
    expect(res.status).toBe(413);
    expect(res.body).toEqual(contractBody(413, 'payload_too_large'));
  });

  it('answers headers over the limit 431 headers_too_large and closes the connection', async () => {
    const answer = await rawExchange(
      port,
      `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual(
      contractBody(431, 'headers_too_large'),
    );
  });

  it('answers the release of a prefix not quarantined 404 not_quarantined', async () => {
    const res = await request(t.server)
      .delete('/admin/fraud/prefixes/44740012')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .expect(404);
    expect(res.body).toEqual(contractBody(404, 'not_quarantined'));
  });
});

describe('the admin routes without OTP_ADMIN_API_KEY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('answer 404 not_found as any unknown route does', async () => {
    const res = await request(t.server).get('/admin/fraud/prefixes').expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'not_found', message: 'No such route' });
    const unknown = await request(t.server).get('/admin/nothing').expect(404);
    expect(unknown.body).toEqual(res.body);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { OtpModule, SMS_PROVIDER } from 'nestjs-otp-verify';
import { SmsOutbox } from './support/sms-outbox.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { HOST_HASH_SECRET } from './support/host-app.js';

const WEB_KEY = 'web-key-0123456789-abcdefghijklmnop';
const BILLING_KEY = 'billing-key-0123456789-abcdefghijklm';
const PHONE = '+447400200001';

describe('API keys (OTP_API_KEYS)', () => {
  let t: TestApp;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        OTP_API_KEYS: `web=${WEB_KEY}, billing=${BILLING_KEY}`,
        // One request per client: a refused caller must not use it up.
        RATE_LIMIT_REQUEST_LIMIT: '1',
        LOG_LEVEL: 'info',
      },
      logDestination: { write: (line: string) => lines.push(line) },
    });
  });
  afterAll(async () => t?.close());

  const post = (path: string, body: object, authorization?: string) => {
    const call = request(t.server).post(`/api/otp/${path}`).send(body);
    return authorization === undefined ? call : call.set('Authorization', authorization);
  };

  it('refuses calls without a known key with 401 and WWW-Authenticate, before any limit or send', async () => {
    for (const authorization of [
      undefined,
      'Bearer not-a-configured-key-but-long-enough-0000',
      `Basic ${WEB_KEY}`,
      `Bearer ${WEB_KEY}x`,
    ]) {
      const res = await post('request', { phoneNumber: PHONE }, authorization).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toEqual({
        statusCode: 401,
        code: 'unauthorized',
        message: expect.any(String),
      });
      await post('verify', { phoneNumber: PHONE, code: '123456' }, authorization).expect(401);
    }
    expect(t.outbox.messages).toHaveLength(0);

    // The per-IP budget of one request is still whole: the refused calls counted against nothing.
    await post('request', { phoneNumber: PHONE }, `Bearer ${WEB_KEY}`).expect(202);
    expect(t.outbox.sentTo(PHONE)).toBe(1);
    const limited = await post('request', { phoneNumber: PHONE }, `Bearer ${BILLING_KEY}`);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
  });

  it('lets a known key verify, and names the key (never the key itself) in logs and metrics', async () => {
    const code = t.outbox.lastCodeFor(PHONE);
    const approved = await post('verify', { phoneNumber: PHONE, code }, `bearer ${BILLING_KEY}`);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');

    const logged = lines.map((line) => JSON.parse(line) as { apiKey?: string; req?: object });
    const requestLines = logged.filter((entry) => entry.req !== undefined);
    expect(requestLines.some((entry) => entry.apiKey === 'web')).toBe(true);
    expect(requestLines.some((entry) => entry.apiKey === 'billing')).toBe(true);
    const everything = lines.join('\n');
    expect(everything).not.toContain(WEB_KEY);
    expect(everything).not.toContain(BILLING_KEY);

    const scrape = (await request(t.server).get('/metrics').expect(200)).text;
    expect(scrape).toMatch(/otp_requests_total\{result="pending",api_key="web"\} 1\b/);
    expect(scrape).toMatch(/otp_verifications_total\{result="approved",api_key="billing"\} 1\b/);
    expect(scrape).not.toContain(WEB_KEY);
  });

  it('keeps the JWKS, health, metrics and documentation open', async () => {
    const jwks = await request(t.server).get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys).toHaveLength(1);
    await request(t.server).get('/health/live').expect(200);
    await request(t.server).get('/metrics').expect(200);
    await request(t.server).get('/docs-json').expect(200);
  });

  it('documents the bearer scheme and the 401 on every OTP operation', async () => {
    const document = (await request(t.server).get('/docs-json').expect(200)).body;
    expect(document.components.securitySchemes.apiKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    for (const path of ['/api/otp/request', '/api/otp/verify']) {
      const operation = document.paths[path].post;
      expect(operation.security).toEqual([{ apiKey: [] }]);
      expect(operation.responses['401'].headers['WWW-Authenticate']).toBeDefined();
      expect(Object.keys(operation.responses['401'].content['application/json'].examples)).toEqual([
        'unauthorized',
      ]);
    }
    expect(document.paths['/.well-known/jwks.json'].get.security).toBeUndefined();
  });
});

describe('the apiKeys option of OtpModule in an Express host app', () => {
  const outbox = new SmsOutbox();
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET, apiKeys: { web: WEB_KEY } })],
    })
      .overrideProvider(SMS_PROVIDER)
      .useValue(outbox)
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(async () => app?.close());

  it('asks for the key as the service does, and serves the JWKS without one', async () => {
    const server = app.getHttpServer();
    const refused = await request(server)
      .post('/otp/request')
      .send({ phoneNumber: PHONE })
      .expect(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(refused.body.code).toBe('unauthorized');
    expect(outbox.messages).toHaveLength(0);
    await request(server)
      .post('/otp/request')
      .set('Authorization', `Bearer ${WEB_KEY}`)
      .send({ phoneNumber: PHONE })
      .expect(202);
    expect(outbox.sentTo(PHONE)).toBe(1);
    const jwks = await request(server).get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys[0]).toMatchObject({ alg: 'EdDSA', use: 'sig' });
  });
});

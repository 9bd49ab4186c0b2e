import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { hashOtpCode } from '../src/otp/code/otp-code.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SECRET = 'log-test-secret-of-at-least-32-bytes';
const PHONE = '+447400123456';

describe('structured logs', () => {
  let t: TestApp;
  const lines: string[] = [];
  const entries = () =>
    lines.map(
      (line) =>
        JSON.parse(line) as {
          msg: string;
          phoneNumber?: string;
          responseTime?: number;
          req: Record<string, string>;
        },
    );
  beforeAll(async () => {
    t = await startTestApp({
      env: { LOG_LEVEL: 'trace', OTP_HASH_SECRET: SECRET, OTP_RESEND_COOLDOWN_SECONDS: '0' },
      logDestination: { write: (line: string) => lines.push(line) },
    });
  });
  afterAll(async () => t?.close());

  it('never logs an issued code, its hash, the secret or a full number through a whole flow', async () => {
    await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '+44 7400 123456' })
      .expect(202);
    const code = t.outbox.lastCodeFor(PHONE);
    const wrong = code === '000000' ? '111111' : '000000';
    await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: PHONE, code: wrong })
      .expect(400);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber: PHONE, code }).expect(200);

    const log = lines.join('');
    const requestLines = entries().filter((entry) => entry.msg === 'request completed');
    expect(requestLines).toHaveLength(3);
    for (const secret of [
      code,
      wrong,
      hashOtpCode(SECRET, PHONE, code),
      SECRET,
      PHONE,
      '7400 123456',
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(requestLines.map((entry) => entry.phoneNumber)).toEqual(Array(3).fill('+44******3456'));
  });

  it('writes one line per request with method, url, status, duration and request id, never the body', async () => {
    lines.length = 0;
    const answer = await request(t.server)
      .post('/api/otp/verify')
      .set('X-Request-Id', 'trace-42.abc')
      .send({ phoneNumber: PHONE, code: '123456' })
      .expect(404);
    expect(answer.headers['x-request-id']).toBe('trace-42.abc');
    const [line] = entries().filter((entry) => entry.msg === 'request completed');
    expect(line).toMatchObject({
      level: 30,
      req: { id: 'trace-42.abc', method: 'POST', url: '/api/otp/verify' },
      res: { statusCode: 404 },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(Object.keys(line.req).sort()).toEqual(['id', 'method', 'url']);
    expect(lines.join('')).not.toContain('123456');
  });

  it('replaces an unsafe or overlong request id with a fresh UUID', async () => {
    for (const unsafe of ['a b"}', 'x'.repeat(129)]) {
      const answer = await request(t.server)
        .get('/health/live')
        .set('X-Request-Id', unsafe)
        .expect(200);
      expect(answer.headers['x-request-id']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
  });
});

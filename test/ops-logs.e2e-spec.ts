import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { hashOtpCode } from '../packages/nestjs-otp-verify/src/code/otp-code.js';
import { codeLeak } from './support/code-leak.js';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SECRET = 'log-test-secret-of-at-least-32-bytes';
const PHONE = '+447400123456';
const PLIVO_TOKEN = 'plivo-token-that-must-not-be-logged';

describe('structured logs', () => {
  let t: TestApp;
  let fake: FakeSmsServer;
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
  // The real Plivo SDK against a fake on 127.0.0.1, so the delivery path's own lines are captured.
  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    t = await startTestApp({
      realSms: true,
      env: {
        LOG_LEVEL: 'trace',
        OTP_HASH_SECRET: SECRET,
        OTP_RESEND_COOLDOWN_SECONDS: '0',
        SMS_PROVIDER: 'plivo',
        PLIVO_AUTH_ID: 'MALOGTESTACCOUNT',
        PLIVO_AUTH_TOKEN: PLIVO_TOKEN,
        PLIVO_SENDER: '+14155550100',
        PLIVO_BASE_URL: fake.url,
      },
      logDestination: { write: (line: string) => lines.push(line) },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('never logs an issued code, its hash, the secret or a full number through a whole flow', async () => {
    await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '+44 7400 123456' })
      .expect(202);
    const code = /\b(\d{6})\b/.exec(fake.received[0].text)?.[1] as string;
    const wrong = code === '000000' ? '111111' : '000000';
    await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: PHONE, code: wrong })
      .expect(400);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber: PHONE, code }).expect(200);

    const log = lines.join('');
    const requestLines = entries().filter((entry) => entry.msg === 'request completed');
    expect(requestLines).toHaveLength(3);
    expect(log).not.toMatch(codeLeak(code));
    expect(log).not.toMatch(codeLeak(wrong));
    for (const secret of [
      hashOtpCode(SECRET, PHONE, code),
      SECRET,
      PLIVO_TOKEN,
      PHONE,
      '7400 123456',
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(requestLines.map((entry) => entry.phoneNumber)).toEqual(Array(3).fill('+44******3456'));
    expect(entries().map((entry) => entry.msg)).toContain(
      'SMS to +44******3456 delivered by plivo',
    );
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
    expect(Object.keys(line.req).sort()).toEqual(['id', 'method', 'remoteAddress', 'url']);
    expect(lines.join('')).not.toContain('123456');
  });

  it('logs the path without its query string, where a careless client may put a key', async () => {
    lines.length = 0;
    const key = 'key-that-must-never-be-logged';
    await request(t.server)
      .post(`/api/otp/verify?api_key=${key}`)
      .send({ phoneNumber: PHONE, code: '123456' })
      .expect(404);
    await request(t.server).get(`/nowhere?access_token=${key}`).expect(404);
    const urls = entries()
      .filter((entry) => entry.msg === 'request completed')
      .map((entry) => entry.req.url);
    expect(urls).toEqual(['/api/otp/verify', '/nowhere']);
    expect(lines.join('')).not.toContain(key);
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

import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { expectRefused } from './support/refusals.js';
import { startInstancePair, type TestApp } from './support/test-app.js';

let sequence = 0;
const nextNumber = (): string => `+4474004${String(++sequence).padStart(5, '0')}`;

/** Two instances of the service, as two processes behind a load balancer would be: one Redis. */
describe('two instances on one Redis', () => {
  let a: TestApp | undefined;
  let b: TestApp | undefined;
  afterEach(async () => {
    await a?.close();
    await b?.close();
    a = b = undefined;
  });

  async function startPair(env: Record<string, string>): Promise<[TestApp, TestApp]> {
    [a, b] = await startInstancePair(env);
    return [a, b];
  }
  const requestCode = (app: TestApp, phoneNumber: string) =>
    request(app.server).post('/api/otp/request').send({ phoneNumber });
  const sent = (...apps: TestApp[]) => apps.reduce((n, app) => n + app.outbox.messages.length, 0);

  it('share one per-client budget', async () => {
    const [first, second] = await startPair({
      RATE_LIMIT_TTL_SECONDS: '120',
      RATE_LIMIT_REQUEST_LIMIT: '4',
      OTP_RESEND_COOLDOWN_SECONDS: '0',
    });
    for (const app of [first, second, first, second]) {
      expect((await requestCode(app, nextNumber())).status).toBe(202);
    }
    for (const app of [first, second]) {
      const res = await requestCode(app, nextNumber());
      expectRefused(res, 'rate_limited', 120);
      expect(res.body.message).toBe('Too many requests from this client; slow down');
    }
    expect(sent(first, second)).toBe(4);
  });

  it('let exactly the limit through among concurrent requests spread over both', async () => {
    const [first, second] = await startPair({
      RATE_LIMIT_TTL_SECONDS: '120',
      RATE_LIMIT_REQUEST_LIMIT: '5',
      OTP_RESEND_COOLDOWN_SECONDS: '0',
    });
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => requestCode(i % 2 ? first : second, nextNumber())),
    );
    expect(responses.filter((r) => r.status === 202)).toHaveLength(5);
    responses.filter((r) => r.status !== 202).forEach((r) => expectRefused(r, 'rate_limited', 120));
    expect(sent(first, second)).toBe(5);
  });

  it('share the per-number cooldown: 30 concurrent requests over both send one SMS', async () => {
    const [first, second] = await startPair({ OTP_RESEND_COOLDOWN_SECONDS: '30' });
    const phoneNumber = nextNumber();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => requestCode(i % 2 ? first : second, phoneNumber)),
    );
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    responses
      .filter((r) => r.status !== 202)
      .forEach((r) => expectRefused(r, 'resend_cooldown', 30));
    expect(first.outbox.sentTo(phoneNumber) + second.outbox.sentTo(phoneNumber)).toBe(1);
  });

  it('share the lockout: failures on one instance lock the number on the other', async () => {
    const [first, second] = await startPair({
      OTP_RESEND_COOLDOWN_SECONDS: '0',
      OTP_LOCKOUT_THRESHOLD: '2',
      OTP_LOCKOUT_WINDOW_SECONDS: '600',
    });
    const phoneNumber = nextNumber();
    await requestCode(first, phoneNumber).expect(202);
    const code = first.outbox.lastCodeFor(phoneNumber);
    const wrong = code === '000000' ? '111111' : '000000';
    // A threshold of 2 allows two failures; the third, on either instance, locks.
    for (const app of [first, second, first]) {
      await request(app.server)
        .post('/api/otp/verify')
        .send({ phoneNumber, code: wrong })
        .expect(400);
    }
    expectRefused(
      await request(second.server).post('/api/otp/verify').send({ phoneNumber, code }),
      'phone_locked',
      600,
    );
    expectRefused(await requestCode(first, phoneNumber), 'phone_locked', 600);
    expect(sent(first, second)).toBe(1);
  });
});

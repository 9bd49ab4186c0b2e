import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('request and verify over HTTP (Redis store)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  });
  afterAll(async () => t.close());

  it('sends a code and approves it once', async () => {
    const sent = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '+1 (415) 555-2671' })
      .expect(202);
    expect(sent.body).toEqual({
      status: 'pending',
      phoneNumber: '+14155552671',
      channel: 'sms',
      expiresInSeconds: 300,
      resendAfterSeconds: 0,
      maxAttempts: 5,
    });
    const code = t.outbox.lastCodeFor('+14155552671');
    await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: '+14155552671', code })
      .expect(200, { status: 'approved', phoneNumber: '+14155552671' });
    const again = await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: '+14155552671', code })
      .expect(404);
    expect(again.body.code).toBe('otp_not_found');
  });
});

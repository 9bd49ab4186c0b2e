import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RedisServerProcess } from './support/redis-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('when Redis goes away', () => {
  let redis: RedisServerProcess;
  let t: TestApp;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url, OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  });
  afterAll(async () => {
    await t?.app.close();
    t?.redis.disconnect();
    await redis?.stop();
  });

  it('answers 503 store_unavailable within 2 s, writes nothing, and recovers without a restart', async () => {
    const phoneNumber = '+447400123456';
    await request(t.server).post('/api/otp/request').send({ phoneNumber }).expect(202);

    await redis.stop();
    for (const [path, body] of [
      ['/api/otp/request', { phoneNumber }],
      ['/api/otp/verify', { phoneNumber, code: '123456' }],
    ] as const) {
      const started = Date.now();
      const refused = await request(t.server).post(path).send(body).expect(503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(refused.body).toEqual({
        statusCode: 503,
        code: 'store_unavailable',
        message: expect.any(String),
      });
    }
    await request(t.server).get('/health/ready').expect(503);
    expect(t.outbox.messages).toHaveLength(1);

    await redis.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 202; i++) {
      status = (await request(t.server).post('/api/otp/request').send({ phoneNumber })).status;
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(202);
    const code = t.outbox.lastCodeFor(phoneNumber);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber, code }).expect(200);
    await request(t.server).get('/health/ready').expect(200);
  });
});

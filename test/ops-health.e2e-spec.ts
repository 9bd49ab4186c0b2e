import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RedisServerProcess } from './support/redis-server.js';
import { waitFor } from './support/spawn-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('health probes', () => {
  let t: TestApp;
  let redis: RedisServerProcess;
  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('is live and ready while Redis answers', async () => {
    await request(t.server)
      .get('/health/live')
      .expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await request(t.server).get('/health/ready').expect(200);
    expect(ready.body.details.store).toEqual({ status: 'up' });
  });

  it('stays live but is not ready once Redis stops answering', async () => {
    await redis.stop();
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body.status).toBe('error');
    expect(ready.body.details.store).toEqual({ status: 'down', message: 'store does not answer' });
    await request(t.server).get('/health/live').expect(200);
  });

  it('is ready again once Redis is back, without a restart', async () => {
    await redis.start();
    await waitFor(async () => (await request(t.server).get('/health/ready')).status === 200);
  });
});

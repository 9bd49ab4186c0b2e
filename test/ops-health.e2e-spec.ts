import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startRedisServer, type Spawned, waitFor } from './support/spawn-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('health probes', () => {
  let t: TestApp;
  let redis: Spawned;
  let port: number;
  beforeAll(async () => {
    const started = await startRedisServer();
    redis = started.server;
    port = started.port;
    t = await startTestApp({ env: { REDIS_URL: started.url } });
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
    redis.child.kill('SIGTERM');
    await redis.exited;
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body.status).toBe('error');
    expect(ready.body.details.store).toEqual({ status: 'down', message: 'store does not answer' });
    await request(t.server).get('/health/live').expect(200);
  });

  it('is ready again once Redis is back, without a restart', async () => {
    redis = (await startRedisServer(port)).server;
    await waitFor(async () => (await request(t.server).get('/health/ready')).status === 200);
  });
});

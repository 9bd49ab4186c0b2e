import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startRedisCluster, type RedisClusterUnderTest } from './support/redis-cluster.js';
import { startInstancePair, type TestApp } from './support/test-app.js';

const GUARD = {
  OTP_PREFIX_MIN_SENDS: '5',
  OTP_PREFIX_MIN_CONVERSION: '0.5',
  OTP_RESEND_COOLDOWN_SECONDS: '0',
  OTP_COUNTRY_SEND_LIMITS: 'FR=3',
  OTP_ADMIN_API_KEY: 'admin-key-of-at-least-thirty-two-characters',
};

const ukNumbers = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `+${prefix}${String(i).padStart(4, '0')}`);
/** French numbers of as many prefixes, so that only the country budget decides. */
const frenchNumbers = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `+336${String(i).padStart(2, '0')}123456`);

const requestCode = (app: TestApp, phoneNumber: string) =>
  request(app.server).post('/api/otp/request').send({ phoneNumber });
const sent = (...apps: TestApp[]) => apps.reduce((n, app) => n + app.outbox.messages.length, 0);

/**
 * Concurrent requests spread over two instances that share one store: the threshold and the
 * budget hold exactly, and either instance sees and releases the other's quarantine.
 */
async function sharesTheGuard(first: TestApp, second: TestApp): Promise<void> {
  const uk = await Promise.all(
    ukNumbers('44740077', 30).map((n, i) => requestCode(i % 2 ? first : second, n)),
  );
  expect(uk.filter((r) => r.status === 202)).toHaveLength(5);
  expect(uk.filter((r) => r.body.code === 'delivery_blocked')).toHaveLength(25);
  const fr = await Promise.all(
    frenchNumbers(30).map((n, i) => requestCode(i % 2 ? first : second, n)),
  );
  expect(fr.filter((r) => r.status === 202)).toHaveLength(3);
  expect(fr.filter((r) => r.body.code === 'country_send_limit_exceeded')).toHaveLength(27);
  expect(sent(first, second)).toBe(8);

  const auth = `Bearer ${GUARD.OTP_ADMIN_API_KEY}`;
  const listed = await request(second.server)
    .get('/admin/fraud/prefixes')
    .set('Authorization', auth)
    .expect(200);
  expect(listed.body).toMatchObject([{ prefix: '44740077', sends: 5, approvals: 0 }]);
  await request(first.server)
    .delete('/admin/fraud/prefixes/44740077')
    .set('Authorization', auth)
    .expect(204);
  await requestCode(second, '+447400779999').expect(202);
}

describe('fraud guard on two instances and one Redis', () => {
  let apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
  });

  it('shares the prefix counts, the quarantine and the country budget', async () => {
    apps = await startInstancePair(GUARD, 'fraud-pair');
    await sharesTheGuard(apps[0], apps[1]);
  });
});

describe('fraud guard on two instances and one Redis Cluster', () => {
  let cluster: RedisClusterUnderTest;
  let apps: TestApp[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await cluster?.stop();
  }, 60_000);

  it('shares the prefix counts, the quarantine and the country budget', async () => {
    apps = await startInstancePair(
      { ...GUARD, REDIS_CLUSTER_NODES: cluster.nodesEnv },
      'fraud-cluster',
    );
    await sharesTheGuard(apps[0], apps[1]);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startRedisCluster, type RedisClusterUnderTest } from './support/redis-cluster.js';
import { expectRefused } from './support/refusals.js';
import { startInstancePair, type TestApp } from './support/test-app.js';

const ADMIN_KEY = 'admin-key-of-at-least-thirty-two-characters';
const GUARD = {
  OTP_PREFIX_MIN_SENDS: '5',
  OTP_PREFIX_MIN_CONVERSION: '0.5',
  OTP_RESEND_COOLDOWN_SECONDS: '0',
  OTP_COUNTRY_SEND_LIMITS: 'FR=3',
  OTP_ADMIN_API_KEY: ADMIN_KEY,
};
/** Fifteen client addresses, each at the default per-IP limit of 10 requests per 5 minutes. */
const ADDRESSES = Array.from({ length: 15 }, (_, i) => `198.51.100.${i + 1}`);
/** 29 numbers in each of 5 neighbouring 8-digit prefixes: each stays under its own 30. */
const SPREAD = ['44740060', '44740061', '44740062', '44740063', '44740064'].flatMap((prefix) =>
  Array.from({ length: 29 }, (_, i) => `+${prefix}${String(i).padStart(4, '0')}`),
);

const ukNumbers = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `+${prefix}${String(i).padStart(4, '0')}`);
/** French numbers of as many prefixes, so that only the country budget decides. */
const frenchNumbers = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `+336${String(i).padStart(2, '0')}123456`);

const requestCode = (app: TestApp, phoneNumber: string, from = '203.0.113.9') =>
  request(app.server).post('/api/otp/request').set('X-Forwarded-For', from).send({ phoneNumber });
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

/**
 * The pumper spread over neighbouring ranges, replayed over two instances with the guard at its defaults
 * (lengths 6,7,8; 30 sends before judging the longest): what reaches the shared 7-digit range.
 */
async function replaySpread(first: TestApp, second: TestApp): Promise<void> {
  const answers = [];
  // In waves of fifteen, one per address, as a botnet paces itself under the per-IP limit.
  for (let i = 0; i < SPREAD.length; i += ADDRESSES.length) {
    answers.push(
      ...(await Promise.all(
        SPREAD.slice(i, i + ADDRESSES.length).map((n, j) =>
          requestCode(j % 2 ? first : second, n, ADDRESSES[j]),
        ),
      )),
    );
  }
  const delivered = sent(first, second);
  expect(delivered).toBeLessThanOrEqual(61);
  expect(delivered).toBe(60);
  expect(answers.filter((r) => r.status === 202)).toHaveLength(60);
  expect(answers.filter((r) => r.body.code === 'delivery_blocked')).toHaveLength(85);

  const listed = await request(first.server)
    .get('/admin/fraud/prefixes')
    .set('Authorization', `Bearer ${ADMIN_KEY}`)
    .expect(200);
  expect(listed.body).toEqual([
    {
      prefix: '4474006',
      country: 'GB',
      sends: 60,
      approvals: 0,
      conversion: 0,
      quarantinedUntil: expect.any(String),
    },
  ]);
  // The rest of the country is served.
  await requestCode(second, '+447400700000').expect(202);
}

describe.each(['Redis', 'Redis Cluster'])('fraud guard on two instances and one %s', (backend) => {
  let cluster: RedisClusterUnderTest | undefined;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    if (backend === 'Redis Cluster') cluster = await startRedisCluster();
  }, 60_000);
  afterEach(async () => {
    await Promise.allSettled(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => cluster?.stop(), 60_000);

  async function pair(env: Record<string, string>, label: string): Promise<[TestApp, TestApp]> {
    const started = await startInstancePair(
      cluster ? { ...env, REDIS_CLUSTER_NODES: cluster.nodesEnv } : env,
      label,
    );
    apps.push(...started);
    return started;
  }

  it('shares the prefix counts, the quarantine and the country budget', async () => {
    await sharesTheGuard(...(await pair(GUARD, 'fraud-pair')));
  });

  it('stops the spread attack at the 7-digit prefix the five ranges share: 60 SMS of 145', async () => {
    const settings = {
      TRUST_PROXY: 'true',
      RATE_LIMIT_REQUEST_LIMIT: '10',
      OTP_ADMIN_API_KEY: ADMIN_KEY,
    };
    await replaySpread(...(await pair(settings, 'spread')));
  }, 60_000);

  it('quarantines a country sent to and never verified, across its ranges, until released', async () => {
    const [first, second] = await pair(
      { OTP_COUNTRY_MIN_SENDS: '10', OTP_ADMIN_API_KEY: ADMIN_KEY },
      'country-guard',
    );
    // Twelve French numbers in as many 6-digit prefixes: only the country sees them together.
    const numbers = frenchNumbers(12);
    for (const [i, phoneNumber] of numbers.slice(0, 10).entries()) {
      await requestCode(i % 2 ? first : second, phoneNumber).expect(202);
    }
    const blocked = await requestCode(first, numbers[10]).expect(403);
    expect(blocked.body.code).toBe('delivery_blocked');
    expect(sent(first, second)).toBe(10);

    const auth = `Bearer ${ADMIN_KEY}`;
    const listed = await request(second.server)
      .get('/admin/fraud/prefixes')
      .set('Authorization', auth)
      .expect(200);
    expect(listed.body).toEqual([
      {
        prefix: null,
        country: 'FR',
        sends: 10,
        approvals: 0,
        conversion: 0,
        quarantinedUntil: expect.any(String),
      },
    ]);
    await request(first.server)
      .delete('/admin/fraud/countries/FR')
      .set('Authorization', auth)
      .expect(204);
    await request(second.server)
      .delete('/admin/fraud/countries/fr')
      .set('Authorization', auth)
      .expect(404);
    await requestCode(second, numbers[11]).expect(202);
  });

  it('hour=20 refuses the 21st send across two instances, with Retry-After within the hour', async () => {
    const [first, second] = await pair({ OTP_GLOBAL_SEND_LIMITS: 'hour=20' }, 'global-pair');
    const numbers = frenchNumbers(30);
    const answers = await Promise.all(
      numbers.slice(0, 20).map((n, i) => requestCode(i % 2 ? first : second, n)),
    );
    expect(answers.every((r) => r.status === 202)).toBe(true);
    for (const [i, phoneNumber] of numbers.slice(20).entries()) {
      expectRefused(
        await requestCode(i % 2 ? first : second, phoneNumber),
        'global_send_limit_exceeded',
        3600,
      );
    }
    expect(sent(first, second)).toBe(20);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startRedisCluster, type RedisClusterUnderTest } from './support/redis-cluster.js';
import { expectRefused } from './support/refusals.js';
import { startInstancePair, type TestApp } from './support/test-app.js';

let sequence = 0;
const nextNumber = (): string => `+4474005${String(++sequence).padStart(5, '0')}`;

/** Two instances behind a load balancer, on a real Redis Cluster: every limit stays exact. */
describe('two instances on one Redis Cluster', () => {
  let cluster: RedisClusterUnderTest;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await cluster?.stop();
  }, 60_000);

  async function startPair(env: Record<string, string>): Promise<[TestApp, TestApp]> {
    const pair = await startInstancePair(
      { ...env, REDIS_CLUSTER_NODES: cluster.nodesEnv },
      'cluster-pair',
    );
    apps.push(...pair);
    return pair;
  }
  const requestCode = (app: TestApp, phoneNumber: string) =>
    request(app.server).post('/api/otp/request').send({ phoneNumber });
  const verify = (app: TestApp, phoneNumber: string, code: string) =>
    request(app.server).post('/api/otp/verify').send({ phoneNumber, code });

  it('share one per-client budget among concurrent requests', async () => {
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
  });

  it('verify on one instance a code sent by the other, and count wrong codes across both', async () => {
    const [first, second] = await startPair({ OTP_MAX_ATTEMPTS: '3' });
    const phoneNumber = nextNumber();
    expect((await requestCode(first, phoneNumber)).status).toBe(202);
    expectRefused(await requestCode(second, phoneNumber), 'resend_cooldown', 30);
    const code = first.outbox.lastCodeFor(phoneNumber);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const tries = await Promise.all(
      Array.from({ length: 10 }, (_, i) => verify(i % 2 ? first : second, phoneNumber, wrong)),
    );
    expect(tries.filter((r) => r.body.code === 'otp_incorrect')).toHaveLength(3);
    expect(tries.filter((r) => r.body.code === 'otp_attempts_exceeded')).toHaveLength(7);
    expect((await verify(second, phoneNumber, code)).body.code).toBe('otp_attempts_exceeded');
  });

  it('approve a code once, whichever instance is asked', async () => {
    const [first, second] = await startPair({});
    const phoneNumber = nextNumber();
    await requestCode(second, phoneNumber).expect(202);
    const code = second.outbox.lastCodeFor(phoneNumber);
    const answers = await Promise.all(
      [first, second, first, second].map((app) => verify(app, phoneNumber, code)),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 404, 404, 404]);
  });
});

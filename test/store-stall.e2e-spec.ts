import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { OTP_REDIS, OtpService, type RedisClient } from 'nestjs-otp-verify';
import request from 'supertest';
import { keysUnder } from './support/redis.js';
import { startRedisCluster } from './support/redis-cluster.js';
import { RedisServerProcess, stallProcesses } from './support/redis-server.js';
import { waitFor } from './support/spawn-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A Redis the test may stall (SIGSTOP) and make evict, one Redis or a cluster. */
interface StallableRedis {
  env: Record<string, string>;
  /** Which process serves `key`. */
  nodeOf(key: string): Promise<number>;
  /** SIGSTOPs what serves `key`; the function returned resumes it. */
  stall(key: string): Promise<() => void>;
  /** The Redis comes back from a restart (or its connections are cut) with `allkeys-lru`. */
  reconnectEvicting(): Promise<void>;
  setPolicy(policy: string): Promise<void>;
  stop(): Promise<void>;
}

async function oneRedis(): Promise<StallableRedis> {
  const redis = await RedisServerProcess.start();
  const admin = () => new Redis(redis.url);
  return {
    env: { REDIS_URL: redis.url },
    nodeOf: async () => redis.port,
    stall: async () => stallProcesses([redis.pid]),
    async reconnectEvicting() {
      await redis.stop();
      await redis.start(['--maxmemory-policy', 'allkeys-lru']);
    },
    async setPolicy(policy) {
      const client = admin();
      await client.config('SET', 'maxmemory-policy', policy).finally(() => client.disconnect());
    },
    stop: () => redis.stop(),
  };
}

async function redisCluster(): Promise<StallableRedis> {
  // No replicas and a long node timeout: a paused master stays the master.
  const cluster = await startRedisCluster({ replicas: 0, nodeTimeoutMs: 60_000 });
  const onEachMaster = async (command: (node: Redis) => Promise<unknown>) => {
    for (const { port } of cluster.seeds) {
      const node = new Redis(port, '127.0.0.1');
      await command(node).finally(() => node.disconnect());
    }
  };
  return {
    env: { REDIS_CLUSTER_NODES: cluster.nodesEnv },
    nodeOf: (key) => cluster.masterOf(key),
    stall: async (key) => stallProcesses([cluster.pidOf(await cluster.masterOf(key))]),
    async reconnectEvicting() {
      await onEachMaster(async (node) => {
        await node.config('SET', 'maxmemory-policy', 'allkeys-lru');
        await node.call('CLIENT', 'KILL', 'TYPE', 'normal');
      });
    },
    setPolicy: (policy) => onEachMaster((node) => node.config('SET', 'maxmemory-policy', policy)),
    stop: () => cluster.stop(),
  };
}

/** Every log line of this file's apps (nestjs-pino keeps the first destination). */
const lines: string[] = [];
const logDestination = { write: (line: string) => void lines.push(line) };

const BASE_ENV = {
  LOG_LEVEL: 'warn',
  OTP_RESEND_COOLDOWN_SECONDS: '0',
  OTP_MAX_SENDS_PER_WINDOW: '1000',
  OTP_COUNTRY_SEND_LIMITS: 'GB=100000',
  RATE_LIMIT_REQUEST_LIMIT: '1000',
  RATE_LIMIT_VERIFY_LIMIT: '1000',
};

const wrongCodeFor = (code: string): string =>
  String((Number(code) + 1) % 1_000_000).padStart(code.length, '0');

/** Resolves with how long `work` took and how it ended. */
async function timed<T>(
  work: () => Promise<T>,
): Promise<{ ms: number; result?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const result = await work();
    return { ms: performance.now() - started, result };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe.each([
  ['one Redis', oneRedis],
  ['a Redis Cluster', redisCluster],
])('a stalled Redis (%s): a 503 changes nothing', (_label, start) => {
  let redis: StallableRedis;
  let t: TestApp;
  let client: RedisClient;
  let resume: (() => void) | undefined;

  beforeAll(async () => {
    redis = await start();
    t = await startTestApp({ env: { ...redis.env, ...BASE_ENV }, logDestination });
    client = t.app.get<RedisClient>(OTP_REDIS);
  }, 60_000);
  afterEach(() => resume?.());
  afterAll(async () => {
    resume?.();
    await t?.close();
    await redis?.stop();
  }, 60_000);

  const numberKey = (phoneNumber: string) => `${t.prefix}{${phoneNumber}}`;

  /** What the app queued before reaches Redis first: reads on the app's own connection. */
  async function drained(keys: string[]): Promise<void> {
    for (let round = 0; round < 2; round++) {
      await Promise.all(keys.map((key) => client.type(key)));
    }
  }

  const throttleHits = async (): Promise<Record<string, string | null>> => {
    const keys = (await keysUnder(client, `${t.prefix}throttle:`)).filter((k) =>
      k.endsWith(':hits'),
    );
    return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await client.get(k)])));
  };

  it('verifies in flight: no wrong attempt counted, the code not used up, no throttler hit', async () => {
    // A verify of an unknown number gives the client a verify budget key to watch.
    await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: '+447400819999', code: '000000' })
      .expect(404);
    const [budgetKey] = Object.keys(await throttleHits()).filter((k) => k.includes(':verify}'));
    // On a cluster, a number whose Redis is not the budget's: the throttler's hit completes,
    // and must be given back when the request then fails.
    const candidates = Array.from(
      { length: 20 },
      (_, i) => `+4474008123${String(i).padStart(2, '0')}`,
    );
    let phoneNumber = candidates[0];
    for (const candidate of candidates) {
      if ((await redis.nodeOf(numberKey(candidate))) !== (await redis.nodeOf(budgetKey))) {
        phoneNumber = candidate;
        break;
      }
    }
    await request(t.server).post('/api/otp/request').send({ phoneNumber }).expect(202);
    const code = t.outbox.lastCodeFor(phoneNumber);
    const key = numberKey(phoneNumber);
    const before = { state: await client.hgetall(key), hits: await throttleHits() };

    lines.length = 0;
    resume = await redis.stall(key);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        timed(() =>
          request(t.server)
            .post('/api/otp/verify')
            .send({ phoneNumber, code: i % 2 === 0 ? wrongCodeFor(code) : code })
            .then((res) => res),
        ),
      ),
    );
    resume();
    await drained([key, budgetKey]);

    expect(answers.map(({ result }) => [result?.status, result?.body.code])).toEqual(
      answers.map(() => [503, 'store_unavailable']),
    );
    expect(await client.hgetall(key)).toEqual(before.state);
    expect(await throttleHits()).toEqual(before.hits);
    // From each request's arrival to its answer, as the service's own request log measures it.
    const refusals = lines
      .map((line) => JSON.parse(line) as { res?: { statusCode: number }; responseTime?: number })
      .filter((entry) => entry.res?.statusCode === 503);
    expect(refusals).toHaveLength(20);
    expect(Math.max(...refusals.map((entry) => entry.responseTime ?? Infinity))).toBeLessThan(2000);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber, code }).expect(200);
  }, 30_000);

  it('requests in flight: no phantom send in the fraud guard, no code, no send counted', async () => {
    const otp = t.app.get(OtpService);
    const phoneNumber = '+447400817700';
    const key = numberKey(phoneNumber);
    const fraudKeys = [
      `${t.prefix}fraud:{p447400}81`,
      `${t.prefix}fraud:{cGB}`,
      `${t.prefix}fraud:{p447400}`,
      `${t.prefix}fraud:{cGB}w`,
    ];
    await otp.requestCode(phoneNumber);
    const snapshot = async () =>
      Promise.all([key, ...fraudKeys].map((k) => client.hmget(k, 'h', 's', 'cs', 'ps')));
    const before = await snapshot();
    expect(before[1][2]).not.toBeNull();

    resume = await redis.stall(key);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => timed(() => otp.requestCode(phoneNumber))),
    );
    resume();
    await drained([key, ...fraudKeys]);

    for (const { error } of answers) expect(error).toMatchObject({ code: 'store_unavailable' });
    expect(await snapshot()).toEqual(before);
    expect(t.outbox.sentTo(phoneNumber)).toBe(1);
  }, 30_000);
});

describe.each([
  ['one Redis', oneRedis],
  ['a Redis Cluster', redisCluster],
])('an evicting Redis found on reconnect (%s)', (_label, start) => {
  let redis: StallableRedis;
  /** In production; `dev` in development, on the same Redis. */
  let t: TestApp;
  let dev: TestApp;

  beforeAll(async () => {
    redis = await start();
    t = await startTestApp({
      env: {
        ...redis.env,
        ...BASE_ENV,
        NODE_ENV: 'production',
        OTP_ALLOWED_COUNTRIES: '*',
        OTP_GLOBAL_SEND_LIMITS: 'unlimited',
        SMS_PROVIDER: 'plivo',
        PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
        PLIVO_AUTH_TOKEN: 'plivo-token-for-eviction',
        PLIVO_SENDER: '+14155550100',
        OTP_TOKEN_PRIVATE_KEY: generateKeyPairSync('ed25519')
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
      logDestination,
    });
    dev = await startTestApp({ env: { ...redis.env, ...BASE_ENV }, logDestination });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dev?.close();
    await redis?.stop();
  }, 60_000);

  const ready = async (app = t) => (await request(app.server).get('/health/ready')).status;
  const ask = (app = t) =>
    request(app.server).post('/api/otp/request').send({ phoneNumber: '+447400816600' });
  const evictionWarnings = () =>
    lines.filter((line) => /"level":40.*maxmemory-policy is allkeys-lru/.test(line));

  it('in production, refuses every call and readiness until the policy is noeviction again', async () => {
    expect(await ready()).toBe(200);
    await ask().expect(202);

    await redis.reconnectEvicting();
    await waitFor(async () => (await ready()) === 503);
    const refused = await ask().expect(503);
    expect(refused.body.code).toBe('store_unavailable');
    await sleep(1200);
    await ask().expect(503);
    expect(await ready()).toBe(503);
    expect(evictionWarnings().join('\n')).toMatch(/Every call answers 503 until it is/);
    // In development the same Redis is served, with a warning.
    expect(await ready(dev)).toBe(200);
    await ask(dev).expect(202);
    expect(evictionWarnings().filter((line) => !/503/.test(line)).length).toBeGreaterThan(0);

    await redis.setPolicy('noeviction');
    await waitFor(async () => (await ready()) === 200);
    await ask().expect(202);
  }, 60_000);
});

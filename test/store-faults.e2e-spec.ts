import { generateKeyPairSync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import request from 'supertest';
import { RedisOtpStore } from '../packages/nestjs-otp-verify/src/store/redis-otp.store.js';
import {
  createRedisClient,
  type RedisClient,
} from '../packages/nestjs-otp-verify/src/store/redis-connection.js';
import type { IssuePolicy } from '../packages/nestjs-otp-verify/src/store/otp-store.js';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { RedisServerProcess } from './support/redis-server.js';
import { freePort, type Spawned, spawnService, waitFor } from './support/spawn-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface LogEntry {
  level: number;
  msg: string;
}
const WARN = 40;

/** Every log line the apps of this file write (nestjs-pino keeps the first destination). */
const lines: string[] = [];
const logDestination = { write: (line: string) => void lines.push(line) };
const entries = (): LogEntry[] => lines.map((line) => JSON.parse(line) as LogEntry);
const warnings = (): string[] =>
  entries()
    .filter((e) => e.level === WARN)
    .map((e) => e.msg);

/** No log line carries a stack trace. */
function expectNoStack(): void {
  for (const line of lines) {
    expect(line).not.toMatch(/"stack"|\n\s+at |node_modules/);
  }
}

const startApp = (redisUrl: string, env: Record<string, string> = {}) =>
  startTestApp({ env: { REDIS_URL: redisUrl, LOG_LEVEL: 'warn', ...env }, logDestination });

describe('Redis faults, with a real Redis made to fail', () => {
  const servers: RedisServerProcess[] = [];
  const own = async (args: string[] = []): Promise<RedisServerProcess> => {
    const server = await RedisServerProcess.start(args);
    servers.push(server);
    return server;
  };
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    lines.length = 0;
    for (const server of servers.splice(0)) await server.stop();
  });

  it('leaves nothing behind an issue that timed out on a stalled Redis (SIGSTOP)', async () => {
    const redis = await own();
    const client: RedisClient = createRedisClient({ url: redis.url });
    const observer = new Redis(redis.url);
    try {
      await waitFor(async () => client.status === 'ready');
      const store = new RedisOtpStore(client, 'stall:');
      const policy: IssuePolicy = {
        ttlMs: 60_000,
        maxAttempts: 5,
        cooldownMs: 30_000,
        maxSends: 1,
        sendWindowMs: 3_600_000,
        lockoutThreshold: 10,
      };
      const pid = redis.pid;
      process.kill(pid, 'SIGSTOP');
      // The client gives up after its command timeout; the script waits in Redis's socket.
      await expect(store.issue('+447400800001', 'h1', policy)).rejects.toMatchObject({
        code: 'store_unavailable',
      });
      process.kill(pid, 'SIGCONT');
      // Once Redis has worked through what was queued, nothing of the failed issue is left: no
      // code, cooldown or send (the script ran after its deadline and wrote nothing).
      // The client's own connection is the barrier: what it queued, and what it resent on NOSCRIPT
      // replies, reaches Redis before these pings.
      await waitFor(async () => client.status === 'ready');
      await client.ping();
      await sleep(500);
      await client.ping();
      expect(await observer.hmget('stall:{+447400800001}', 'h', 'c', 's')).toEqual([
        null,
        null,
        null,
      ]);
      // The retry is served as if the failed request had never happened: no cooldown, no send.
      await waitFor(async () => client.status === 'ready');
      await expect(store.issue('+447400800001', 'h2', policy)).resolves.toEqual({
        outcome: 'issued',
      });
      expect(await observer.hget('stall:{+447400800001}', 's')).toBe('1');
    } finally {
      client.disconnect();
      observer.disconnect();
    }
  });

  it('is not ready, answers 503 and warns with the cause when Redis is out of memory', async () => {
    const redis = await own(['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction']);
    // info: the request lines too, 5xx included.
    t = await startApp(redis.url, { LOG_LEVEL: 'info' });
    await request(t.server).get('/health/ready').expect(200);
    const filler = new Redis(redis.url);
    try {
      // Small values until Redis refuses one.
      const chunk = 'x'.repeat(1024);
      let refused: unknown;
      for (let i = 0; i < 10_000 && !refused; i++) {
        await filler.set(`filler:${i}`, chunk).catch((error: unknown) => (refused = error));
      }
      expect(String(refused)).toMatch(/OOM/);
      // Well over the limit, so that freeing a client's buffers cannot bring it back under.
      await filler.config('SET', 'maxmemory', '1mb');
    } finally {
      filler.disconnect();
    }
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body.error).toHaveProperty('store');
    const res = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '+447400800002' })
      .expect(503);
    expect(res.body.code).toBe('store_unavailable');
    expect(t.outbox.messages).toEqual([]);
    // The first script, which carries the throttler's hit on one Redis, meets the OOM: the
    // failure is said with its cause rather than swallowed.
    expect(warnings()).toContainEqual(expect.stringMatching(/^Redis call failed: OOM/));
    // The 503's own request line, at error level, names the contract code, without a stack.
    const failedRequest = lines.find((line) => /"statusCode":503/.test(line) && /"err"/.test(line));
    expect(JSON.parse(failedRequest as string)).toMatchObject({
      level: 50,
      msg: 'request errored',
      err: { type: 'store_unavailable', message: 'failed with status code 503' },
    });
    expectNoStack();
  });

  it('names authentication at start-up and in each failure when the password is wrong', async () => {
    const redis = await own(['--requirepass', 'the-right-password-for-this-test']);
    t = await startApp(`redis://:not-the-password@127.0.0.1:${redis.port}`);
    expect(warnings()).toContainEqual(expect.stringMatching(/Redis refused authentication/));
    await request(t.server).get('/health/ready').expect(503);
    await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '+447400800003' })
      .expect(503);
    expect(warnings().filter((w) => /Redis call failed.*WRONGPASS/.test(w)).length).toBeGreaterThan(
      1,
    );
    expect(lines.join('\n')).not.toContain('not-the-password');
    expectNoStack();
  });

  it('warns about an evicting maxmemory-policy in development', async () => {
    const redis = await own(['--maxmemory-policy', 'volatile-lru']);
    t = await startApp(redis.url);
    expect(warnings()).toContainEqual(
      expect.stringMatching(/maxmemory-policy is volatile-lru.*noeviction/),
    );
  });

  it('warns that it could not check the policy where CONFIG is disabled', async () => {
    const redis = await own(['--rename-command', 'CONFIG', '""']);
    t = await startApp(redis.url);
    expect(warnings()).toContainEqual(
      expect.stringMatching(/Could not check Redis maxmemory-policy/),
    );
    await request(t.server).get('/health/ready').expect(200);
  });
});

describe('an evicting Redis in production', () => {
  let redis: RedisServerProcess;
  let fake: FakeSmsServer;
  let service: Spawned | undefined;
  beforeAll(async () => {
    redis = await RedisServerProcess.start(['--maxmemory-policy', 'allkeys-lru']);
    fake = await FakeSmsServer.start();
  });
  afterAll(async () => {
    await service?.stop();
    await redis?.stop();
    await fake?.stop();
  });

  it('refuses to start, in one line that names the policy', async () => {
    service = spawnService({
      NODE_ENV: 'production',
      OTP_ALLOWED_COUNTRIES: '*',
      OTP_GLOBAL_SEND_LIMITS: 'unlimited',
      REDIS_URL: redis.url,
      OTP_HASH_SECRET: 'eviction-test-secret-of-32-bytes-or-more',
      OTP_TOKEN_PRIVATE_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      SMS_PROVIDER: 'plivo',
      PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
      PLIVO_AUTH_TOKEN: 'plivo-token-for-eviction',
      PLIVO_SENDER: '+14155550100',
      PLIVO_BASE_URL: fake.url,
      PORT: String(await freePort()),
    });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toMatch(/^Start-up failed: Redis maxmemory-policy is allkeys-lru/m);
    expect(service.stderr() + service.stdout()).not.toMatch(/\n\s+at /);
  });
});

import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { describeOtpStoreContract } from '../../../../test/support/otp-store-contract.js';
import {
  deleteKeys,
  keysUnder,
  ownKeySpace,
  REDIS_URL,
  uniquePrefix,
} from '../../../../test/support/redis.js';
import { RedisOtpStore } from './redis-otp.store.js';

const prefix = uniquePrefix('store');

describeOtpStoreContract('redis', async () => {
  const redis = new Redis(REDIS_URL);
  return {
    store: new RedisOtpStore(redis, prefix),
    cleanup: async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
});

describe('RedisOtpStore keys', () => {
  it('writes only under its prefix, with the number as hash tag, and never the code', async () => {
    const redis = new Redis(REDIS_URL);
    const own = uniquePrefix('keys');
    const store = new RedisOtpStore(redis, own);
    try {
      await store.issue('+447400123456', 'the-hmac', {
        ttlMs: 60_000,
        maxAttempts: 5,
        cooldownMs: 30_000,
        maxSends: 5,
        sendWindowMs: 60_000,
        lockoutThreshold: 10,
      });
      await store.verify('+447400123456', 'wrong-hmac', {
        lockoutThreshold: 10,
        lockoutWindowMs: 60_000,
      });
      const tag = `${own}{+447400123456}`;
      // One key per number: the code and every per-number limit are fields of one hash.
      expect(await keysUnder(redis, own)).toEqual([tag]);
      const state = await redis.hgetall(tag);
      expect(Object.keys(state).sort()).toEqual(['a', 'c', 'f', 'h', 'l', 's', 'w', 'x']);
      expect(state).toMatchObject({ h: 'the-hmac', a: '4', s: '1', f: '1' });
      const now = Number((await redis.time())[0]) * 1000;
      expect(Number(state.x) - now).toBeGreaterThan(55_000);
      expect(Number(state.c) - now).toBeGreaterThan(25_000);
      // The send window's end is in whole seconds, rounded up: never shorter than configured.
      const windowEndSeconds = Number(state.w);
      expect(state.w).toMatch(/^\d{10}$/);
      expect(windowEndSeconds * 1000 - now).toBeGreaterThanOrEqual(59_000);
      expect(windowEndSeconds * 1000 - now).toBeLessThanOrEqual(61_000);
      expect(await redis.pttl(tag)).toBeGreaterThan(55_000);
    } finally {
      await deleteKeys(redis, own);
      redis.disconnect();
    }
  });
});

describe('RedisOtpStore key life', () => {
  const { prefix: own, redis, release } = ownKeySpace('life');
  const store = new RedisOtpStore(redis, own);
  const policy = {
    ttlMs: 60_000,
    maxAttempts: 5,
    cooldownMs: 0,
    maxSends: 2,
    sendWindowMs: 120_000,
    lockoutThreshold: 10,
  };
  afterAll(release);

  it('keeps the number as long as its longest limit, not its newest code', async () => {
    const phone = '+447400123459';
    await store.issue(phone, 'first', policy);
    await store.verify(phone, 'wrong', { lockoutThreshold: 10, lockoutWindowMs: 600_000 });
    await store.issue(phone, 'second', policy);
    // The lockout window, started by the failure, outlasts both the new code and the send window.
    expect(await redis.pttl(`${own}{${phone}}`)).toBeGreaterThan(590_000);
  });

  it('reads a send window end written in milliseconds as such, and keeps its count and end', async () => {
    // What a build that kept the end in milliseconds left behind.
    const phone = '+447400123460';
    const key = `${own}{${phone}}`;
    const now = Number((await redis.time())[0]) * 1000;
    await redis.hset(key, 's', '1', 'w', String(now + 30_000));
    await redis.pexpire(key, 30_000);
    await expect(store.issue(phone, 'second', policy)).resolves.toEqual({ outcome: 'issued' });
    const refused = await store.issue(phone, 'third', policy);
    expect(refused.outcome).toBe('send_limit');
    // The old window's end, not a far future and not a fresh window of two minutes.
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(60_000);
    expect(await redis.hget(key, 'w')).toMatch(/^\d{10}$/);
  });
});

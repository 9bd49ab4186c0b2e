import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { describeOtpStoreContract } from '../../../../test/support/otp-store-contract.js';
import { deleteKeys, keysUnder, REDIS_URL, uniquePrefix } from '../../../../test/support/redis.js';
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
      expect(await keysUnder(redis, own)).toEqual(
        [tag, `${tag}:cooldown`, `${tag}:failures`, `${tag}:sends`].sort(),
      );
      expect(await redis.hgetall(tag)).toEqual({ h: 'the-hmac', a: '4' });
      expect(await redis.pttl(tag)).toBeGreaterThan(55_000);
    } finally {
      await deleteKeys(redis, own);
      redis.disconnect();
    }
  });
});

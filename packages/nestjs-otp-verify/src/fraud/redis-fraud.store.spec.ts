import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { describeFraudStoreContract } from '../../../../test/support/fraud-store-contract.js';
import {
  deleteKeys,
  keysUnder,
  ownKeySpace,
  REDIS_URL,
  uniquePrefix,
} from '../../../../test/support/redis.js';
import { RedisFraudStore } from './redis-fraud.store.js';

const prefix = uniquePrefix('fraud');

describeFraudStoreContract('redis', async () => {
  const redis = new Redis(REDIS_URL);
  return {
    store: new RedisFraudStore(redis, prefix),
    cleanup: async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
});

describe('RedisFraudStore keys', () => {
  it('keeps one hash per prefix and per country, each its own hash tag, and no number', async () => {
    const redis = new Redis(REDIS_URL);
    const own = uniquePrefix('fraud-keys');
    const store = new RedisFraudStore(redis, own);
    const policy = {
      windowMs: 3_600_000,
      minSends: 2,
      minConversion: 0.5,
      quarantineMs: 60_000,
      enforce: true,
    };
    try {
      await store.admitCountry('GB', 100, true);
      await store.admitPrefix('44740012', 'GB', policy);
      await store.admitPrefix('44740012', 'GB', policy);
      expect(await keysUnder(redis, own)).toEqual([
        `${own}fraud:quarantined`,
        `${own}fraud:{cGB}`,
        `${own}fraud:{p44740012}`,
      ]);
      expect(await redis.type(`${own}fraud:{p44740012}`)).toBe('hash');
      const ttl = await redis.pttl(`${own}fraud:{p44740012}`);
      expect(ttl).toBeGreaterThan(7_000_000);
      expect(ttl).toBeLessThanOrEqual(7_200_000);
    } finally {
      await deleteKeys(redis, own);
      redis.disconnect();
    }
  });
});

describe('RedisFraudStore key life', () => {
  const { prefix: own, redis, release } = ownKeySpace('fraud-life');
  afterAll(release);

  it('keeps a quarantine longer than two windows when later calls roll the buckets', async () => {
    const store = new RedisFraudStore(redis, own);
    const windowMs = 200;
    const policy = {
      windowMs,
      minSends: 2,
      minConversion: 0.5,
      quarantineMs: 60_000,
      enforce: true,
    };
    await store.admitPrefix('44740013', 'GB', policy);
    expect((await store.admitPrefix('44740013', 'GB', policy)).outcome).toBe('quarantined');
    await new Promise((resolve) => setTimeout(resolve, 2.5 * windowMs));
    await store.recordApproval('44740013', windowMs);
    expect((await store.admitPrefix('44740013', 'GB', policy)).outcome).toBe('blocked');
    expect(await redis.pttl(`${own}fraud:{p44740013}`)).toBeGreaterThan(55_000);
  });
});

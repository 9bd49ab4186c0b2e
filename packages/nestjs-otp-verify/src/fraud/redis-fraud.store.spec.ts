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
import type { SendCounter, SendPolicy } from './fraud-store.js';
import { RedisFraudStore } from './redis-fraud.store.js';

const prefix = uniquePrefix('fraud');

describeFraudStoreContract('redis', async () => {
  const redis = new Redis(REDIS_URL);
  return {
    store: new RedisFraudStore(redis, prefix, 6),
    cleanup: async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
});

const policy: SendPolicy = {
  windowMs: 3_600_000,
  minConversion: 0.5,
  quarantineMs: 60_000,
  enforce: true,
  challenge: 'none',
  country: 'GB',
};

describe('RedisFraudStore keys', () => {
  it('keeps one hash per counter, the lengths of a number under one hash tag, and no number', async () => {
    const redis = new Redis(REDIS_URL);
    const own = uniquePrefix('fraud-keys');
    const store = new RedisFraudStore(redis, own, 6);
    const counters: SendCounter[] = [
      { kind: 'country_budget', id: 'GB', limit: 100, windowMs: 86_400_000 },
      { kind: 'global_budget', id: 'hour', limit: 100, windowMs: 3_600_000 },
      { kind: 'prefix', id: '447400', minSends: 8 },
      { kind: 'prefix', id: '4474001', minSends: 4 },
      { kind: 'prefix', id: '44740012', minSends: 2 },
      { kind: 'country', id: 'GB', minSends: 100 },
    ];
    try {
      await store.admitSend(counters, policy);
      await store.admitSend(counters, policy);
      expect(await keysUnder(redis, own)).toEqual([
        `${own}fraud:quarantined`,
        `${own}fraud:{cGB}`,
        `${own}fraud:{cGB}w`,
        `${own}fraud:{g}hour`,
        `${own}fraud:{p447400}`,
        `${own}fraud:{p447400}1`,
        `${own}fraud:{p447400}12`,
      ]);
      expect(await redis.type(`${own}fraud:{p447400}12`)).toBe('hash');
      const ttl = await redis.pttl(`${own}fraud:{p447400}12`);
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
    const store = new RedisFraudStore(redis, own, 8);
    const windowMs = 200;
    const counters: SendCounter[] = [{ kind: 'prefix', id: '44740013', minSends: 2 }];
    const short = { ...policy, windowMs };
    await store.admitSend(counters, short);
    expect((await store.admitSend(counters, short)).counters[0].quarantined).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2.5 * windowMs));
    await store.recordApproval([{ kind: 'prefix', id: '44740013', minSends: 2 }], windowMs, 0.5);
    expect((await store.admitSend(counters, short)).outcome).toBe('blocked');
    expect(await redis.pttl(`${own}fraud:{p44740013}`)).toBeGreaterThan(55_000);
  });
});

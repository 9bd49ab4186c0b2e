import { describe, expect, it } from '@jest/globals';
import { describeOtpStoreContract } from '../../../../test/support/otp-store-contract.js';
import { InMemoryOtpStore } from './in-memory-otp.store.js';

describeOtpStoreContract('in memory', async () => ({
  store: new InMemoryOtpStore(),
  cleanup: async () => undefined,
}));

describe('InMemoryOtpStore housekeeping', () => {
  it('drops expired entries of numbers that are never seen again', async () => {
    let now = 0;
    const store = new InMemoryOtpStore(() => now);
    const policy = {
      ttlMs: 1000,
      maxAttempts: 3,
      cooldownMs: 1000,
      maxSends: 5,
      sendWindowMs: 1000,
      lockoutThreshold: 10,
    };
    for (let i = 0; i < 999; i++) await store.issue(`+1415555${i}`, 'h', policy);
    now = 5000;
    await store.issue('+14155550000', 'h', policy);
    const sizes = ['codes', 'cooldowns', 'sends'].map(
      (name) => (store as unknown as Record<string, Map<string, unknown>>)[name].size,
    );
    expect(sizes).toEqual([1, 1, 1]);
  });
});

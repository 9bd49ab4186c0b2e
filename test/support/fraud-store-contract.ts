import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  FraudStore,
  PrefixPolicy,
} from '../../packages/nestjs-otp-verify/src/fraud/fraud-store.js';

export interface FraudStoreUnderTest {
  store: FraudStore;
  cleanup(): Promise<void>;
}

/** A day-long window: a test never straddles a bucket's edge, so every count is whole. */
const policy: PrefixPolicy = {
  windowMs: 86_400_000,
  minSends: 4,
  minConversion: 0.5,
  quarantineMs: 3_600_000,
  enforce: true,
};

let sequence = 0;
const nextPrefix = (): string => `4474${String(++sequence).padStart(4, '0')}`;

/** One semantics for the fraud guard's counters: in memory, on Redis, on a cluster. */
export function describeFraudStoreContract(
  name: string,
  create: () => Promise<FraudStoreUnderTest>,
): void {
  describe(`FraudStore contract: ${name}`, () => {
    let subject: FraudStoreUnderTest;
    let store: FraudStore;
    beforeAll(async () => {
      subject = await create();
      store = subject.store;
    });
    afterAll(async () => subject.cleanup());

    const admit = (prefix: string, p: PrefixPolicy = policy) => store.admitPrefix(prefix, 'GB', p);

    it('quarantines at the send that reaches the threshold, then blocks and counts nothing', async () => {
      const prefix = nextPrefix();
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push((await admit(prefix)).outcome);
      expect(outcomes).toEqual(['admitted', 'admitted', 'admitted', 'quarantined']);
      const blocked = await admit(prefix);
      expect(blocked).toMatchObject({ outcome: 'blocked', bucket: -1, sends: 4, approvals: 0 });
      expect(blocked.quarantinedUntil).toBeGreaterThan(Date.now() + 3_500_000);
      expect(await store.quarantined()).toContainEqual({
        prefix,
        country: 'GB',
        sends: 4,
        approvals: 0,
        quarantinedUntil: blocked.quarantinedUntil,
      });
    });

    it('keeps a prefix whose codes are approved out of quarantine', async () => {
      const prefix = nextPrefix();
      for (let i = 0; i < 20; i++) {
        expect((await admit(prefix)).outcome).toBe('admitted');
        await store.recordApproval(prefix, policy.windowMs);
      }
    });

    it('ignores an approval for a prefix with no sends in the window', async () => {
      const prefix = nextPrefix();
      await store.recordApproval(prefix, policy.windowMs);
      await store.recordApproval(prefix, policy.windowMs);
      for (let i = 0; i < 3; i++) await admit(prefix);
      expect((await admit(prefix)).outcome).toBe('quarantined');
    });

    it('gives back a withdrawn send', async () => {
      const prefix = nextPrefix();
      for (let i = 0; i < 10; i++) {
        const admitted = await admit(prefix);
        expect(admitted.outcome).toBe('admitted');
        await store.withdrawPrefixSend(prefix, admitted.bucket);
      }
    });

    it('in shadow mode counts a quarantined prefix and admits it', async () => {
      const prefix = nextPrefix();
      const shadow = { ...policy, enforce: false };
      const outcomes = [];
      for (let i = 0; i < 6; i++) outcomes.push((await admit(prefix, shadow)).outcome);
      expect(outcomes).toEqual([
        'admitted',
        'admitted',
        'admitted',
        'quarantined',
        'would_block',
        'would_block',
      ]);
    });

    it('releases a quarantine once, with a clean slate', async () => {
      const prefix = nextPrefix();
      for (let i = 0; i < 4; i++) await admit(prefix);
      expect(await store.release(prefix)).toMatchObject({ prefix, sends: 4, approvals: 0 });
      expect(await store.release(prefix)).toBeUndefined();
      expect((await store.quarantined()).map((q) => q.prefix)).not.toContain(prefix);
      expect((await admit(prefix)).outcome).toBe('admitted');
      expect(await store.release(nextPrefix())).toBeUndefined();
    });

    it('spends a country budget exactly, says when there is room again, and gives back', async () => {
      const country = `Z${String.fromCharCode(65 + (sequence++ % 26))}`;
      const first = await store.admitCountry(country, 2, true);
      expect(first).toEqual({ outcome: 'admitted', bucket: expect.any(Number), retryAfterMs: 0 });
      await store.admitCountry(country, 2, true);
      const refused = await store.admitCountry(country, 2, true);
      expect(refused.outcome).toBe('exceeded');
      expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(2 * 86_400_000);
      await store.withdrawCountrySend(country, first.bucket);
      expect((await store.admitCountry(country, 2, true)).outcome).toBe('admitted');
      expect((await store.admitCountry(country, 2, false)).outcome).toBe('would_exceed');
    });

    it('lets exactly the budget through among concurrent admissions', async () => {
      const country = `Y${String.fromCharCode(65 + (sequence++ % 26))}`;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.admitCountry(country, 7, true)),
      );
      expect(results.filter((r) => r.outcome === 'admitted')).toHaveLength(7);
    });
  });
}

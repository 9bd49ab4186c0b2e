import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  ChallengeState,
  FraudStore,
  SendCounter,
  SendPolicy,
} from '../../packages/nestjs-otp-verify/src/fraud/fraud-store.js';

export interface FraudStoreUnderTest {
  store: FraudStore;
  cleanup(): Promise<void>;
}

/** A day-long window: a test never straddles a bucket's edge, so every count is whole. */
const DAY = 86_400_000;
const policy: SendPolicy = {
  windowMs: DAY,
  minConversion: 0.5,
  quarantineMs: 3_600_000,
  enforce: true,
  challenge: 'none',
  country: 'GB',
};

let sequence = 0;
const nextPrefix = (): string => `4474${String(++sequence).padStart(4, '0')}`;
const nextCountry = (): string =>
  `${String.fromCharCode(65 + ((sequence >> 5) % 26))}${String.fromCharCode(65 + (++sequence % 26))}`;
const prefixCounter = (id: string, minSends = 4): SendCounter => ({ kind: 'prefix', id, minSends });

/**
 * One semantics for the fraud guard's counters: in memory, on Redis, on a cluster (where a
 * send's counters span several slots).
 */
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
    }, 60_000);
    afterAll(async () => subject.cleanup(), 60_000);

    const admit = (prefix: string, p: Partial<SendPolicy> = {}) =>
      store.admitSend([prefixCounter(prefix)], { ...policy, ...p });
    const approve = (prefix: string) =>
      store.recordApproval([{ kind: 'prefix', id: prefix, minSends: 4 }], DAY, 0.5);

    it('quarantines at the send that reaches the threshold, then blocks and counts nothing', async () => {
      const prefix = nextPrefix();
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push((await admit(prefix)).outcome);
      expect(outcomes).toEqual(['admitted', 'admitted', 'admitted', 'admitted']);
      const blocked = await admit(prefix);
      expect(blocked.outcome).toBe('blocked');
      expect(blocked.decidedBy).toMatchObject({ bucket: -1, sends: 4, approvals: 0 });
      expect(blocked.decidedBy!.quarantinedUntil).toBeGreaterThan(Date.now() + 3_500_000);
      expect(await store.quarantined()).toContainEqual({
        prefix,
        country: 'GB',
        sends: 4,
        approvals: 0,
        quarantinedUntil: blocked.decidedBy!.quarantinedUntil,
      });
    });

    it('says which send put the prefix in quarantine', async () => {
      const prefix = nextPrefix();
      const flags = [];
      for (let i = 0; i < 4; i++) flags.push((await admit(prefix)).counters[0].quarantined);
      expect(flags).toEqual([false, false, false, true]);
    });

    it('keeps a prefix whose codes are approved out of quarantine', async () => {
      const prefix = nextPrefix();
      for (let i = 0; i < 20; i++) {
        expect((await admit(prefix)).counters[0].quarantined).toBe(false);
        await approve(prefix);
      }
    });

    it('ignores an approval for a prefix with no sends in the window', async () => {
      const prefix = nextPrefix();
      await approve(prefix);
      await approve(prefix);
      for (let i = 0; i < 3; i++) await admit(prefix);
      expect((await admit(prefix)).counters[0].quarantined).toBe(true);
    });

    it('gives back a withdrawn send on every counter', async () => {
      const prefix = nextPrefix();
      const country = nextCountry();
      const counters: SendCounter[] = [
        { kind: 'country_budget', id: country, limit: 2, windowMs: DAY },
        prefixCounter(prefix),
        { kind: 'country', id: country, minSends: 4 },
      ];
      for (let i = 0; i < 10; i++) {
        const admitted = await store.admitSend(counters, policy);
        expect(admitted.outcome).toBe('admitted');
        expect(admitted.counters.map((report) => report.sends)).toEqual([1, 1, 1]);
        await store.withdrawSend(admitted);
      }
    });

    it('in shadow mode counts a quarantined prefix and admits it', async () => {
      const prefix = nextPrefix();
      const reports = [];
      for (let i = 0; i < 6; i++) reports.push(await admit(prefix, { enforce: false }));
      expect(reports.map((r) => r.outcome)).toEqual(Array(6).fill('admitted'));
      expect(reports.map((r) => r.counters[0].quarantinedUntil > 0)).toEqual([
        false,
        false,
        false,
        true,
        true,
        true,
      ]);
      expect(reports[5].counters[0].sends).toBe(6);
    });

    it('releases a quarantine once, with a clean slate', async () => {
      const prefix = nextPrefix();
      for (let i = 0; i < 4; i++) await admit(prefix);
      const release = { kind: 'prefix', id: prefix } as const;
      expect(await store.release(release)).toMatchObject({ prefix, sends: 4, approvals: 0 });
      expect(await store.release(release)).toBeUndefined();
      expect((await store.quarantined()).map((q) => q.prefix)).not.toContain(prefix);
      expect((await admit(prefix)).outcome).toBe('admitted');
      expect(await store.release({ kind: 'prefix', id: nextPrefix() })).toBeUndefined();
    });

    it('watches every length of a number in one admission, each with its own minimum', async () => {
      const base = `55${String(++sequence).padStart(4, '0')}`;
      // A spread over eight-digit prefixes that each stay under their minimum of 4.
      const outcomes: string[] = [];
      for (let p = 0; p < 4; p++) {
        for (let i = 0; i < 3; i++) {
          const eight = `${base}${p}0`;
          const counters = [
            prefixCounter(base, 16),
            prefixCounter(`${base}${p}`, 8),
            prefixCounter(eight, 4),
          ];
          const admission = await store.admitSend(counters, policy);
          outcomes.push(
            admission.outcome === 'admitted'
              ? (admission.counters.find((r) => r.quarantined)?.counter.id ?? 'admitted')
              : admission.outcome,
          );
        }
      }
      // Twelve sends under the six digits (minimum 16), three under each seven and eight.
      expect(outcomes).toEqual(Array(12).fill('admitted'));
      const more = [
        prefixCounter(base, 16),
        prefixCounter(`${base}9`, 8),
        prefixCounter(`${base}90`),
      ];
      for (let i = 0; i < 3; i++) await store.admitSend(more, policy);
      const sixteenth = await store.admitSend(more, policy);
      expect(sixteenth.counters.map((r) => r.quarantined)).toEqual([true, false, true]);
      const elsewhere = await store.admitSend(
        [prefixCounter(base, 16), prefixCounter(`${base}5`, 8), prefixCounter(`${base}55`)],
        policy,
      );
      expect(elsewhere).toMatchObject({ outcome: 'blocked', decidedBy: { counter: { id: base } } });
      expect(elsewhere.counters.every((r) => r.bucket === -1)).toBe(true);
    });

    it('quarantines a country by the same test, and releases it', async () => {
      const country = nextCountry();
      const counter: SendCounter = { kind: 'country', id: country, minSends: 10 };
      const gb = { ...policy, country };
      for (let i = 0; i < 10; i++) await store.admitSend([counter], gb);
      expect((await store.admitSend([counter], gb)).outcome).toBe('blocked');
      expect(await store.quarantined()).toContainEqual(
        expect.objectContaining({ prefix: null, country, sends: 10 }),
      );
      expect(await store.release({ kind: 'country', id: country })).toMatchObject({
        prefix: null,
        country,
      });
      expect((await store.admitSend([counter], gb)).outcome).toBe('admitted');
    });

    it('asks for a challenge instead of blocking, and a passed one is served and recovers the range', async () => {
      const prefix = nextPrefix();
      for (let i = 0; i < 4; i++) await admit(prefix);
      const asked = await admit(prefix, { challenge: 'ask' });
      expect(asked.outcome).toBe('challenge');
      expect(asked.counters[0].bucket).toBe(-1);
      const passed = [];
      for (let i = 0; i < 4; i++) {
        const admission = await admit(prefix, { challenge: 'passed' });
        passed.push(admission.outcome);
        passed.push((await approve(prefix)).map((q) => q.prefix).join());
      }
      // 4 pumped sends, then 4 challenged and approved: conversion 4/8 reaches 0.5.
      expect(passed).toEqual(['admitted', '', 'admitted', '', 'admitted', '', 'admitted', prefix]);
      expect((await store.quarantined()).map((q) => q.prefix)).not.toContain(prefix);
      // A clean slate: the pumped sends cannot put it back at the next unverified send.
      expect(await admit(prefix)).toMatchObject({ outcome: 'admitted', counters: [{ sends: 1 }] });
    });

    it('refuses past a global budget, warns once at 80 %, and asks for a challenge after', async () => {
      const id = `hour-${nextCountry()}`;
      const counters: SendCounter[] = [
        { kind: 'global_budget', id, limit: 5, windowMs: 3_600_000 },
      ];
      const warned = [];
      for (let i = 0; i < 5; i++) {
        const challenge: ChallengeState = i < 4 ? 'ask' : 'passed';
        const admission = await store.admitSend(counters, { ...policy, challenge });
        expect(admission.outcome).toBe('admitted');
        warned.push(admission.counters[0].warned);
      }
      expect(warned).toEqual([false, false, false, true, false]);
      expect((await store.admitSend(counters, { ...policy, challenge: 'passed' })).outcome).toBe(
        'over_budget',
      );
      const refused = await store.admitSend(counters, policy);
      expect(refused.outcome).toBe('over_budget');
      expect(refused.decidedBy!.retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(refused.decidedBy!.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    });

    it('asks for a challenge once a global budget is past 80 %, and counts nothing', async () => {
      const id = `day-${nextCountry()}`;
      const counters: SendCounter[] = [{ kind: 'global_budget', id, limit: 5, windowMs: DAY }];
      for (let i = 0; i < 4; i++) await store.admitSend(counters, policy);
      const asked = await store.admitSend(counters, { ...policy, challenge: 'ask' });
      expect(asked.outcome).toBe('challenge');
      expect((await store.admitSend(counters, policy)).outcome).toBe('admitted');
    });

    it('tells a verify at risk: a quarantine, or a global budget past 80 %, and writes nothing', async () => {
      const prefix = nextPrefix();
      const watched = [prefixCounter(prefix)];
      expect(await store.atRisk(watched, DAY)).toBe(false);
      for (let i = 0; i < 4; i++) await admit(prefix);
      expect(await store.atRisk(watched, DAY)).toBe(true);
      const global: SendCounter[] = [
        { kind: 'global_budget', id: `hour-${nextCountry()}`, limit: 5, windowMs: 3_600_000 },
      ];
      for (let i = 0; i < 3; i++) await store.admitSend(global, policy);
      expect(await store.atRisk(global, DAY)).toBe(false);
      expect(await store.atRisk(global, DAY)).toBe(false);
      await store.admitSend(global, policy);
      expect(await store.atRisk(global, DAY)).toBe(true);
    });

    it('spends a country budget exactly, says when there is room again, and gives back', async () => {
      const country = nextCountry();
      const counters: SendCounter[] = [
        { kind: 'country_budget', id: country, limit: 2, windowMs: DAY },
        prefixCounter(nextPrefix()),
      ];
      const first = await store.admitSend(counters, policy);
      expect(first.outcome).toBe('admitted');
      await store.admitSend(counters, policy);
      const refused = await store.admitSend(counters, policy);
      expect(refused.outcome).toBe('over_budget');
      expect(refused.decidedBy!.counter.kind).toBe('country_budget');
      expect(refused.decidedBy!.retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(refused.decidedBy!.retryAfterMs).toBeLessThanOrEqual(DAY);
      // The prefix counted two sends, not three: a refused send counts nowhere.
      const alone = await store.admitSend([counters[1]], policy);
      expect(alone.counters[0].sends).toBe(3);
      await store.withdrawSend(alone);
      await store.withdrawSend(first);
      expect((await store.admitSend(counters, policy)).outcome).toBe('admitted');
    });

    it('gives back what an earlier counter took when a later one refuses', async () => {
      const prefix = nextPrefix();
      const country = nextCountry();
      for (let i = 0; i < 4; i++) await admit(prefix);
      const budget: SendCounter = { kind: 'country_budget', id: country, limit: 1, windowMs: DAY };
      for (let i = 0; i < 3; i++) {
        expect((await store.admitSend([budget, prefixCounter(prefix)], policy)).outcome).toBe(
          'blocked',
        );
      }
      expect((await store.admitSend([budget], policy)).outcome).toBe('admitted');
    });

    it('lets exactly the budget through among concurrent admissions', async () => {
      const country = nextCountry();
      const counters: SendCounter[] = [
        { kind: 'country_budget', id: country, limit: 7, windowMs: DAY },
      ];
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.admitSend(counters, policy)),
      );
      expect(results.filter((r) => r.outcome === 'admitted')).toHaveLength(7);
    });
  });
}

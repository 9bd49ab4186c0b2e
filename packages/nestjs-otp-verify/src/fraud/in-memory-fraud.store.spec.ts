import { describe, expect, it } from '@jest/globals';
import { describeFraudStoreContract } from '../../../../test/support/fraud-store-contract.js';
import type { SendCounter, SendPolicy } from './fraud-store.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';

describeFraudStoreContract('in memory', async () => ({
  store: new InMemoryFraudStore(),
  cleanup: async () => undefined,
}));

const HOUR = 3_600_000;
const policy: SendPolicy = {
  windowMs: HOUR,
  minConversion: 0.5,
  quarantineMs: 2 * HOUR,
  enforce: true,
  challenge: 'none',
  country: 'GB',
};
const prefix: SendCounter[] = [{ kind: 'prefix', id: '44740012', minSends: 10 }];

describe('InMemoryFraudStore sliding window', () => {
  it('still sees a burst that straddles the edge of two buckets', async () => {
    let now = 10 * HOUR + HOUR - 1000;
    const store = new InMemoryFraudStore(() => now);
    for (let i = 0; i < 6; i++) await store.admitSend(prefix, policy);
    now += 2000;
    const quarantined = [];
    for (let i = 0; i < 5; i++) {
      quarantined.push((await store.admitSend(prefix, policy)).counters[0].quarantined);
    }
    // Six sends a second before the edge and five after: a window fixed at the edge sees five.
    expect(quarantined).toEqual([false, false, false, false, true]);
  });

  it('forgets the previous bucket as it slides out of the window', async () => {
    let now = 10 * HOUR;
    const store = new InMemoryFraudStore(() => now);
    for (let i = 0; i < 9; i++) await store.admitSend(prefix, policy);
    now += HOUR + HOUR / 2;
    const admitted = await store.admitSend(prefix, policy);
    expect(admitted).toMatchObject({ outcome: 'admitted', counters: [{ sends: 5.5 }] });
  });

  it('lifts a quarantine that ran out, once', async () => {
    let now = 10 * HOUR;
    const store = new InMemoryFraudStore(() => now);
    for (let i = 0; i < 10; i++) await store.admitSend(prefix, policy);
    expect((await store.admitSend(prefix, policy)).outcome).toBe('blocked');
    now += 2 * HOUR + 1;
    expect(await store.admitSend(prefix, policy)).toMatchObject({
      outcome: 'admitted',
      counters: [{ expired: true }],
    });
    expect((await store.admitSend(prefix, policy)).counters[0].expired).toBe(false);
    expect(await store.quarantined()).toEqual([]);
  });

  it('gives a budget room again when the weighted count drops below it', async () => {
    const day = 86_400_000;
    let now = 100 * day + day / 2;
    const store = new InMemoryFraudStore(() => now);
    const budget: SendCounter[] = [{ kind: 'country_budget', id: 'FR', limit: 4, windowMs: day }];
    for (let i = 0; i < 4; i++) await store.admitSend(budget, policy);
    const refused = await store.admitSend(budget, policy);
    // Half a day to the next bucket, then until 4 × (1 - f) ≤ 3: a quarter of a day.
    expect(refused).toMatchObject({
      outcome: 'over_budget',
      decidedBy: { retryAfterMs: day / 2 + day / 4 },
    });
    now += refused.decidedBy!.retryAfterMs - 1000;
    expect((await store.admitSend(budget, policy)).outcome).toBe('over_budget');
    now += 1000;
    expect((await store.admitSend(budget, policy)).outcome).toBe('admitted');
  });
});

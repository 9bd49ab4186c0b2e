import { describe, expect, it } from '@jest/globals';
import { describeFraudStoreContract } from '../../../../test/support/fraud-store-contract.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';

describeFraudStoreContract('in memory', async () => ({
  store: new InMemoryFraudStore(),
  cleanup: async () => undefined,
}));

const HOUR = 3_600_000;
const policy = {
  windowMs: HOUR,
  minSends: 10,
  minConversion: 0.5,
  quarantineMs: 2 * HOUR,
  enforce: true,
};

describe('InMemoryFraudStore sliding window', () => {
  it('still sees a burst that straddles the edge of two buckets', async () => {
    let now = 10 * HOUR + HOUR - 1000;
    const store = new InMemoryFraudStore(() => now);
    for (let i = 0; i < 6; i++) await store.admitPrefix('44740012', 'GB', policy);
    now += 2000;
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push((await store.admitPrefix('44740012', 'GB', policy)).outcome);
    }
    // Six sends a second before the edge and five after: a window fixed at the edge sees five.
    expect(outcomes).toEqual(['admitted', 'admitted', 'admitted', 'admitted', 'quarantined']);
  });

  it('forgets the previous bucket as it slides out of the window', async () => {
    let now = 10 * HOUR;
    const store = new InMemoryFraudStore(() => now);
    for (let i = 0; i < 9; i++) await store.admitPrefix('44740012', 'GB', policy);
    now += HOUR + HOUR / 2;
    const admitted = await store.admitPrefix('44740012', 'GB', policy);
    expect(admitted).toMatchObject({ outcome: 'admitted', sends: 5.5 });
  });

  it('lifts a quarantine that ran out, once', async () => {
    let now = 10 * HOUR;
    const store = new InMemoryFraudStore(() => now);
    for (let i = 0; i < 10; i++) await store.admitPrefix('44740012', 'GB', policy);
    expect((await store.admitPrefix('44740012', 'GB', policy)).outcome).toBe('blocked');
    now += 2 * HOUR + 1;
    expect(await store.admitPrefix('44740012', 'GB', policy)).toMatchObject({
      outcome: 'admitted',
      expired: true,
    });
    expect((await store.admitPrefix('44740012', 'GB', policy)).expired).toBe(false);
    expect(await store.quarantined()).toEqual([]);
  });

  it('gives a country room again when the weighted count drops below the budget', async () => {
    const day = 86_400_000;
    let now = 100 * day + day / 2;
    const store = new InMemoryFraudStore(() => now);
    for (let i = 0; i < 4; i++) await store.admitCountry('FR', 4, true);
    const refused = await store.admitCountry('FR', 4, true);
    // Half a day to the next bucket, then until 4 × (1 - f) ≤ 3: a quarter of a day.
    expect(refused).toMatchObject({ outcome: 'exceeded', retryAfterMs: day / 2 + day / 4 });
    now += refused.retryAfterMs - 1000;
    expect((await store.admitCountry('FR', 4, true)).outcome).toBe('exceeded');
    now += 1000;
    expect((await store.admitCountry('FR', 4, true)).outcome).toBe('admitted');
  });
});

/**
 * The fraud guard runs at its defaults in the bench, so the request path must look to it like a
 * real deployment's traffic: most codes sent are then verified. A run that only ever sent would
 * be SMS pumping to the guard, and after 200 sends to one country with no approval the guard
 * rightly refuses the rest. So, through the module's own fraud store code (as codes.ts issues
 * codes through its store code), and never while a measure runs:
 *
 * - before a service's first request path, the hour of traffic a live deployment has behind it:
 *   as many sends as a measure makes, over the same prefixes, 70 % of them approved;
 * - after each request path, the approvals of 70 % of the numbers it sent, as their users would
 *   have typed their codes in the next minutes.
 *
 * Every number of the bench is a UK mobile (codes.ts), so the country is GB.
 */
import { resolveFraudGuardSettings } from '../packages/nestjs-otp-verify/src/fraud/fraud-guard-options.js';
import type { WatchedCounter } from '../packages/nestjs-otp-verify/src/fraud/fraud-store.js';
import { RedisFraudStore } from '../packages/nestjs-otp-verify/src/fraud/redis-fraud.store.js';
import { OTP_INTEGER_OPTIONS } from '../packages/nestjs-otp-verify/src/otp-options.js';
import { nextNumber } from './codes.js';
import type { Store } from './stores.js';

/** The share of sent codes that are verified: real users, most of whom type their code. */
export const CONVERSION = 0.7;

const GUARD = resolveFraudGuardSettings(
  {},
  {
    prefixWindowSeconds: OTP_INTEGER_OPTIONS['fraudGuard.prefixWindowSeconds'].default,
    prefixMinSends: OTP_INTEGER_OPTIONS['fraudGuard.prefixMinSends'].default,
    countryMinSends: OTP_INTEGER_OPTIONS['fraudGuard.countryMinSends'].default,
    prefixQuarantineSeconds: OTP_INTEGER_OPTIONS['fraudGuard.prefixQuarantineSeconds'].default,
  },
);
const POLICY = {
  windowMs: GUARD.prefixWindowMs,
  minConversion: GUARD.prefixMinConversion,
  quarantineMs: GUARD.prefixQuarantineMs,
  enforce: true,
  challenge: 'none' as const,
  country: 'GB',
};

/** The counters the guard keeps for `e164`, as FraudGuardService names them. */
function countersOf(e164: string): WatchedCounter[] {
  const digits = e164.slice(1);
  return [
    ...GUARD.prefixLengths.map(({ digits: length, minSends }) => ({
      kind: 'prefix' as const,
      id: digits.slice(0, length),
      minSends,
    })),
    { kind: 'country', id: 'GB', minSends: GUARD.countryMinSends },
  ];
}

/** Runs `work` over `items`, `size` in flight at a time. */
async function inBatches<T>(items: T[], work: (item: T) => Promise<unknown>, size = 2000) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(work));
  }
}

const fraudStore = (store: Store, keyPrefix: string) =>
  new RedisFraudStore(store.client, keyPrefix, GUARD.prefixLengths[0].digits);

/** Approvals for `CONVERSION` of `numbers`, every number's prefixes and country counted. */
export async function approveSent(store: Store, keyPrefix: string, numbers: string[]) {
  const guard = fraudStore(store, keyPrefix);
  const approved = numbers.filter((_, i) => i % 10 < CONVERSION * 10);
  await inBatches(approved, (e164) =>
    guard.recordApproval(countersOf(e164), POLICY.windowMs, POLICY.minConversion),
  );
}

/**
 * `sends` sends of the last hour to fresh numbers, `CONVERSION` of them approved, in the order
 * they would come: each hundred sends (half the country's minimum) followed by its approvals.
 */
export async function playHistory(store: Store, keyPrefix: string, sends: number) {
  const guard = fraudStore(store, keyPrefix);
  const numbers = Array.from({ length: sends }, nextNumber);
  const admit = (e164: string) => guard.admitSend(countersOf(e164), POLICY);
  for (let i = 0; i < numbers.length; i += 100) {
    const batch = numbers.slice(i, i + 100);
    await Promise.all(batch.map(admit));
    await approveSent(store, keyPrefix, batch);
  }
}

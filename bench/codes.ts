/**
 * The numbers every path sends, and the pending codes the verify paths and the memory measure
 * need, written straight to Redis as each server's own request path would write them.
 */
import { hashOtpCode } from '../packages/nestjs-otp-verify/src/code/otp-code.js';
import { RedisOtpStore } from '../packages/nestjs-otp-verify/src/store/redis-otp.store.js';
import { MAX_ATTEMPTS, SECRET } from './settings.js';
import type { Store } from './stores.js';

/**
 * Valid UK mobile numbers, never the same twice in a run, spread over 24,000 prefixes of 8 digits
 * (`44` and 6 national digits) so that no prefix reaches the fraud guard's minimum of sends.
 */
const LEADS = ['740', '741', '742', '743', '744', '746', '747', '748', '749'].concat(
  ['771', '772', '773', '774', '775', '776', '777', '790', '792', '793', '794', '795', '796'],
  ['797', '798', '799'],
);
let sequence = 0;
export const nextNumber = (): string => {
  const n = sequence++;
  const lead = LEADS[n % LEADS.length];
  const rest = Math.floor(n / LEADS.length);
  const prefixPart = String(rest % 1000).padStart(3, '0');
  return `+44${lead}${prefixPart}${String(Math.floor(rest / 1000)).padStart(4, '0')}`;
};

export interface Pending {
  phoneNumber: string;
  code: string;
}

/** `count` fresh numbers with codes, each stored by `store`, 2,000 in flight at a time. */
async function pendingCodes(
  count: number,
  store: (pending: Pending) => Promise<unknown>,
): Promise<Pending[]> {
  const codes = Array.from({ length: count }, (_, i) => ({
    phoneNumber: nextNumber(),
    code: String(100_000 + (i % 800_000)),
  }));
  for (let i = 0; i < codes.length; i += 2000) {
    await Promise.all(codes.slice(i, i + 2000).map(store));
  }
  return codes;
}

/** The service's send policy in the bench: limits per number raised so that no path is refused. */
export const BENCH_POLICY = {
  ttlMs: 300_000,
  maxAttempts: MAX_ATTEMPTS,
  cooldownMs: 30_000,
  maxSends: 5,
  sendWindowMs: 3_600_000,
  lockoutThreshold: 1_000_000,
};

/** Pending codes for the service's verify paths, through its own store code and limits. */
export async function issueProductCodes(
  store: Store,
  prefix: string,
  count: number,
): Promise<Pending[]> {
  const otpStore = new RedisOtpStore(store.client, prefix);
  return pendingCodes(count, ({ phoneNumber, code }) =>
    otpStore.issue(phoneNumber, hashOtpCode(SECRET, phoneNumber, code), BENCH_POLICY),
  );
}

/** Pending codes for a peer's verify paths, as its request handler writes them. */
export async function issuePeerCodes(store: Store, count: number): Promise<Pending[]> {
  return pendingCodes(count, ({ phoneNumber, code }) =>
    store.client.set(`otp:${phoneNumber}`, code, 'EX', 300),
  );
}

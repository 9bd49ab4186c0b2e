import { createHash } from 'node:crypto';

/**
 * The one key the store writes for a number: its code and its per-number limits are fields of
 * one hash (see store/lua/number-state.lua.ts). The number is a hash tag, so a key derived from
 * it later would share its Redis Cluster slot.
 */
export function otpNumberKey(prefix: string, phoneNumber: string): string {
  return `${prefix}{${phoneNumber}}`;
}

/**
 * A verification's keys. Its record shares the number's hash tag, so the scripts that change the
 * number's code settle its verification in the same step; the scripts append the suffix
 * themselves, from the code's HMAC and deadline (see store/lua/verification-record.lua.ts). The
 * index finds the number and that suffix from the id alone, for status and cancel; it has a
 * slot of its own.
 */
export function verificationKeys(prefix: string, phoneNumber: string) {
  const recordStem = `${otpNumberKey(prefix, phoneNumber)}v:`;
  return { recordStem, record: (suffix: string) => `${recordStem}${suffix}` };
}

export function verificationIndexKey(prefix: string, idBody: string): string {
  return `${prefix}vid:{${idBody}}`;
}

/**
 * A provider's message id to the verification whose attempt sent it, for delivery receipts. Its
 * own slot, like the id's index: the message id is all a receipt knows.
 */
export function messageIndexKey(prefix: string, provider: string, messageId: string): string {
  return `${prefix}msg:{${provider}:${messageId}}`;
}

/**
 * An `Idempotency-Key` of one caller. Hashed: callers' keys are arbitrary text, and the caller's
 * name or address stays out of the key space.
 */
export function idempotencyKey(prefix: string, caller: string, key: string): string {
  const digest = createHash('sha256').update(`${caller}\u0000${key}`).digest('base64url');
  return `${prefix}idem:{${digest}}`;
}

/**
 * The throttler's keys for one client (`tracker`, its address) and one named limit. The address
 * is hashed: keys of one length and alphabet whatever the address, and none in the clear. The
 * hash is the hash tag, so the script's two keys share a Redis Cluster slot.
 */
export function throttleKeys(prefix: string, tracker: string, throttlerName: string) {
  const digest = createHash('sha256').update(tracker).digest('hex');
  const tag = `${prefix}throttle:{${digest}:${throttlerName}}`;
  return { hits: `${tag}:hits`, block: `${tag}:block` };
}

/**
 * The fraud guard's keys. A number's prefixes of every watched length share one hash tag, its
 * shortest watched prefix (`tagDigits` long), so one script counts them all on a Redis Cluster
 * too; each country's budget and watch share the country's tag, and the global budgets one of
 * their own. The load spreads over the cluster by prefix and by country. The index of
 * quarantines only serves the admin listing, which then reads each counter's own key.
 */
export function fraudKeys(prefix: string, tagDigits: number) {
  return {
    prefix: (digits: string) =>
      `${prefix}fraud:{p${digits.slice(0, tagDigits)}}${digits.slice(tagDigits)}`,
    countryBudget: (country: string) => `${prefix}fraud:{c${country}}`,
    country: (country: string) => `${prefix}fraud:{c${country}}w`,
    globalBudget: (window: string) => `${prefix}fraud:{g}${window}`,
    quarantined: `${prefix}fraud:quarantined`,
  };
}

/** A used CAPTCHA token, by its SHA-256 digest: never the token itself. */
export function captchaTokenKey(prefix: string, digest: string): string {
  return `${prefix}captcha:{${digest}}`;
}

/** What readiness writes: proof that the store takes writes, not only that it answers PING. */
export function healthProbeKey(prefix: string): string {
  return `${prefix}health:probe`;
}

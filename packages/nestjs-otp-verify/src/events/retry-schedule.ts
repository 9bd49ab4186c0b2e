const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The contract's backoff: about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 2 h. */
const FIRST_DELAYS = [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR];
const LATER_DELAY = 2 * HOUR;

/** The wait before retry number `retry` (1 for the first retry). */
export const retryDelayMs = (retry: number): number => FIRST_DELAYS[retry - 1] ?? LATER_DELAY;

/** Tries in all, the first included, whose retries start within `retryHours` of the first. */
export function attemptsWithin(retryHours: number): number {
  let elapsed = 0;
  let retries = 0;
  while (elapsed + retryDelayMs(retries + 1) <= retryHours * HOUR) {
    retries += 1;
    elapsed += retryDelayMs(retries);
  }
  return retries + 1;
}

/** What one pending code costs Redis: `used_memory` growth over many, divided by their number. */
import { hashOtpCode } from '../packages/nestjs-otp-verify/src/code/otp-code.js';
import { OTP_DEFAULTS } from '../packages/nestjs-otp-verify/src/otp-options.js';
import { RedisOtpStore } from '../packages/nestjs-otp-verify/src/store/redis-otp.store.js';
import { nextNumber } from './codes.js';
import { SECRET } from './settings.js';
import type { Store } from './stores.js';

export const MEMORY_CODES = 20_000;

/** Bytes per pending code, issued through the service's store under its default key prefix. */
export async function memoryPerCode(store: Store): Promise<number> {
  const otpStore = new RedisOtpStore(store.client, OTP_DEFAULTS.keyPrefix);
  const policy = {
    ttlMs: 300_000,
    maxAttempts: 5,
    cooldownMs: 30_000,
    maxSends: 5,
    sendWindowMs: 3_600_000,
    lockoutThreshold: 10,
  };
  // One code first, so that the scripts and the connection's buffers are not counted.
  await otpStore.issue(nextNumber(), hashOtpCode(SECRET, 'warm-up', '123456'), policy);
  const before = await store.usedMemory();
  const numbers = Array.from({ length: MEMORY_CODES }, nextNumber);
  for (let i = 0; i < numbers.length; i += 500) {
    await Promise.all(
      numbers
        .slice(i, i + 500)
        .map((n) => otpStore.issue(n, hashOtpCode(SECRET, n, '123456'), policy)),
    );
  }
  return Math.round(((await store.usedMemory()) - before) / MEMORY_CODES);
}

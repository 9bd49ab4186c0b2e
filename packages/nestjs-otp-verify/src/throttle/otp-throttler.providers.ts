import type { Provider } from '@nestjs/common';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerStorageService,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { OTP_REDIS, OTP_SETTINGS } from '../otp.constants.js';
import type { OtpSettings } from '../otp-options.js';
import type { RedisClient } from '../store/redis-connection.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/** One named limit per route, chosen with `@OtpRateLimit` (see `OtpController`). */
export const REQUEST_THROTTLER = 'request';
export const VERIFY_THROTTLER = 'verify';

/**
 * The throttler's own tokens, provided inside `OtpModule` rather than through the global
 * `ThrottlerModule`, so they reach `OTP_SETTINGS` and `OTP_REDIS` and never clash with a host
 * app's throttler.
 */
export const otpThrottlerProviders: Provider[] = [
  {
    provide: getOptionsToken(),
    inject: [OTP_SETTINGS],
    useFactory: ({ rateLimit }: OtpSettings): ThrottlerModuleOptions => {
      const ttl = rateLimit.ttlSeconds * 1000;
      return {
        // The contract's `Retry-After` on a 429 is written by the exception filter; the limits
        // themselves are not advertised to clients.
        setHeaders: false,
        throttlers: [
          { name: REQUEST_THROTTLER, ttl, limit: rateLimit.requestLimit },
          { name: VERIFY_THROTTLER, ttl, limit: rateLimit.verifyLimit },
        ],
      };
    },
  },
  {
    provide: getStorageToken(),
    inject: [OTP_SETTINGS, OTP_REDIS],
    useFactory: (settings: OtpSettings, redis: RedisClient | null) =>
      redis ? new RedisThrottlerStorage(redis, settings.keyPrefix) : new ThrottlerStorageService(),
  },
];

import type { FactoryProvider } from '@nestjs/common';
import { OTP_REDIS, OTP_SETTINGS, USED_CAPTCHA_TOKENS } from '../otp.constants.js';
import type { OtpSettings } from '../otp-options.js';
import type { RedisClient } from '../store/redis-connection.js';
import {
  InMemoryUsedCaptchaTokens,
  RedisUsedCaptchaTokens,
  type UsedCaptchaTokens,
} from './used-captcha-tokens.js';

/** On the module's own Redis connection when there is one, so a token is used once everywhere. */
export const usedCaptchaTokensProvider: FactoryProvider<UsedCaptchaTokens> = {
  provide: USED_CAPTCHA_TOKENS,
  inject: [OTP_SETTINGS, OTP_REDIS],
  useFactory: (settings: OtpSettings, redis: RedisClient | null) =>
    redis ? new RedisUsedCaptchaTokens(redis, settings.keyPrefix) : new InMemoryUsedCaptchaTokens(),
};

import type { FactoryProvider } from '@nestjs/common';
import { OTP_REDIS, OTP_SETTINGS, OTP_STORE } from '../otp.constants.js';
import type { OtpSettings } from '../otp-options.js';
import { InMemoryOtpStore } from './in-memory-otp.store.js';
import type { OtpStore } from './otp-store.js';
import { createRedisClient, type RedisClient } from './redis-connection.js';
import { RedisOtpStore } from './redis-otp.store.js';

/** The module's Redis connection, or null for the in-memory store. */
export const otpRedisProvider: FactoryProvider<RedisClient | null> = {
  provide: OTP_REDIS,
  inject: [OTP_SETTINGS],
  useFactory: (settings: OtpSettings) =>
    settings.redis ? createRedisClient(settings.redis) : null,
};

export const otpStoreProvider: FactoryProvider<OtpStore> = {
  provide: OTP_STORE,
  inject: [OTP_SETTINGS, OTP_REDIS],
  useFactory: (settings: OtpSettings, redis: RedisClient | null) =>
    redis ? new RedisOtpStore(redis, settings.keyPrefix) : new InMemoryOtpStore(),
};

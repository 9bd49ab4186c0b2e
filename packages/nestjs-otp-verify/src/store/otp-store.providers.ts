import type { FactoryProvider } from '@nestjs/common';
import { OTP_MODULE_OPTIONS } from '../otp.module-definition.js';
import { OTP_DEFAULTS, type OtpModuleOptions } from '../otp-options.js';
import { InMemoryOtpStore } from './in-memory-otp.store.js';
import { OTP_STORE, type OtpStore } from './otp-store.js';
import { createRedisClient, OTP_REDIS, type RedisClient } from './redis-connection.js';
import { RedisOtpStore } from './redis-otp.store.js';

/** The module's Redis connection, or null for the in-memory store. */
export const otpRedisProvider: FactoryProvider<RedisClient | null> = {
  provide: OTP_REDIS,
  inject: [OTP_MODULE_OPTIONS],
  useFactory: (options: OtpModuleOptions) =>
    options.redis ? createRedisClient(options.redis) : null,
};

export const otpStoreProvider: FactoryProvider<OtpStore> = {
  provide: OTP_STORE,
  inject: [OTP_MODULE_OPTIONS, OTP_REDIS],
  useFactory: (options: OtpModuleOptions, redis: RedisClient | null) =>
    redis
      ? new RedisOtpStore(redis, options.redis?.keyPrefix ?? OTP_DEFAULTS.keyPrefix)
      : new InMemoryOtpStore(),
};

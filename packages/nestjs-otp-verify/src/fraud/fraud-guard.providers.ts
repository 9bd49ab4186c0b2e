import type { FactoryProvider } from '@nestjs/common';
import { OTP_MODULE_OPTIONS } from '../otp.module-definition.js';
import { OTP_DEFAULTS, type OtpModuleOptions } from '../otp-options.js';
import { OTP_REDIS, type RedisClient } from '../store/redis-connection.js';
import { FRAUD_GUARD_SETTINGS, resolveFraudGuardSettings } from './fraud-guard-options.js';
import { FRAUD_STORE, type FraudStore } from './fraud-store.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';
import { RedisFraudStore } from './redis-fraud.store.js';

export const fraudGuardSettingsProvider: FactoryProvider = {
  provide: FRAUD_GUARD_SETTINGS,
  inject: [OTP_MODULE_OPTIONS],
  useFactory: (options: OtpModuleOptions) => resolveFraudGuardSettings(options.fraudGuard),
};

/** On the module's own Redis connection when there is one, so every instance shares the counts. */
export const fraudStoreProvider: FactoryProvider<FraudStore> = {
  provide: FRAUD_STORE,
  inject: [OTP_MODULE_OPTIONS, OTP_REDIS],
  useFactory: (options: OtpModuleOptions, redis: RedisClient | null) =>
    redis
      ? new RedisFraudStore(redis, options.redis?.keyPrefix ?? OTP_DEFAULTS.keyPrefix)
      : new InMemoryFraudStore(),
};

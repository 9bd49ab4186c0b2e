import type { FactoryProvider } from '@nestjs/common';
import { FRAUD_STORE, OTP_REDIS, OTP_SETTINGS } from '../otp.constants.js';
import type { OtpSettings } from '../otp-options.js';
import type { RedisClient } from '../store/redis-connection.js';
import type { FraudStore } from './fraud-store.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';
import { RedisFraudStore } from './redis-fraud.store.js';

/** On the module's own Redis connection when there is one, so every instance shares the counts. */
export const fraudStoreProvider: FactoryProvider<FraudStore> = {
  provide: FRAUD_STORE,
  inject: [OTP_SETTINGS, OTP_REDIS],
  useFactory: (settings: OtpSettings, redis: RedisClient | null) =>
    redis
      ? new RedisFraudStore(redis, settings.keyPrefix, settings.fraudGuard.prefixLengths[0].digits)
      : new InMemoryFraudStore(),
};

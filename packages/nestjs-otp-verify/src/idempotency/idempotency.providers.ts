import type { FactoryProvider } from '@nestjs/common';
import { IDEMPOTENCY_STORE, OTP_REDIS } from '../otp.constants.js';
import type { RedisClient } from '../store/redis-connection.js';
import type { IdempotencyStore } from './idempotency-store.js';
import { InMemoryIdempotencyStore } from './in-memory-idempotency.store.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

/** Keys are shared by every instance on the module's Redis; without Redis, by one process. */
export const idempotencyStoreProvider: FactoryProvider<IdempotencyStore> = {
  provide: IDEMPOTENCY_STORE,
  inject: [OTP_REDIS],
  useFactory: (redis: RedisClient | null) =>
    redis ? new RedisIdempotencyStore(redis) : new InMemoryIdempotencyStore(),
};

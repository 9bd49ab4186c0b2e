import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from '../otp.errors.js';
import { redisFailureCause, type RedisClient } from '../store/redis-connection.js';
import {
  CLAIM_IDEMPOTENCY_KEY_SCRIPT,
  COMPLETE_IDEMPOTENCY_KEY_SCRIPT,
  RELEASE_IDEMPOTENCY_KEY_SCRIPT,
} from './idempotency.lua.js';
import type { IdempotencyClaim, IdempotencyStore, StoredAnswer } from './idempotency-store.js';

type Arg = string | number;
interface IdempotencyCommands {
  otpIdempotencyClaim(key: string, ...args: Arg[]): Promise<[string, string?]>;
  otpIdempotencyComplete(key: string, ...args: Arg[]): Promise<number>;
  otpIdempotencyRelease(key: string, ...args: Arg[]): Promise<number>;
}

/** Keys shared by every instance on the module's Redis (one node or a cluster). */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly logger = new Logger('OtpIdempotency');
  private readonly redis: (Redis | Cluster) & IdempotencyCommands;

  constructor(redis: RedisClient) {
    redis.defineCommand('otpIdempotencyClaim', {
      numberOfKeys: 1,
      lua: CLAIM_IDEMPOTENCY_KEY_SCRIPT,
    });
    redis.defineCommand('otpIdempotencyComplete', {
      numberOfKeys: 1,
      lua: COMPLETE_IDEMPOTENCY_KEY_SCRIPT,
    });
    redis.defineCommand('otpIdempotencyRelease', {
      numberOfKeys: 1,
      lua: RELEASE_IDEMPOTENCY_KEY_SCRIPT,
    });
    this.redis = redis as (Redis | Cluster) & IdempotencyCommands;
  }

  async claim(key: string, fingerprint: string, inFlightMs: number): Promise<IdempotencyClaim> {
    const [outcome, answer] = await this.redis
      .otpIdempotencyClaim(key, fingerprint, inFlightMs)
      .catch((error: unknown) => this.unavailable(error));
    if (outcome === 'replay') return { outcome, answer: JSON.parse(answer!) as StoredAnswer };
    return { outcome: outcome as 'claimed' | 'reused' | 'in_use' };
  }

  async complete(key: string, fingerprint: string, answer: StoredAnswer, ttlMs: number) {
    await this.redis
      .otpIdempotencyComplete(key, fingerprint, JSON.stringify(answer), ttlMs)
      .catch((error: unknown) => this.unavailable(error));
  }

  async answered(key: string): Promise<boolean> {
    const found = await this.redis
      .hexists(key, 'a')
      .catch((error: unknown) => this.unavailable(error));
    return found === 1;
  }

  async release(key: string, fingerprint: string): Promise<void> {
    await this.redis
      .otpIdempotencyRelease(key, fingerprint)
      .catch((error: unknown) => this.unavailable(error));
  }

  private unavailable(error: unknown): never {
    this.logger.warn(`Redis call failed: ${redisFailureCause(this.redis, error)}`);
    throw new StoreUnavailableError();
  }
}

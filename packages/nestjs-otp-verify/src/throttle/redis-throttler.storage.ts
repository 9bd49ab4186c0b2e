import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { StoreUnavailableError } from '../otp.errors.js';
import { throttleKeys } from '../store/otp-keys.js';
import { redisFailureCause, type RedisClient } from '../store/redis-connection.js';
import { THROTTLE_HIT_SCRIPT } from './throttle-hit.lua.js';

type ThrottleReply = [number, number, number, number];
type ScriptedClient = RedisClient & {
  otpThrottleHit(...args: (string | number)[]): Promise<ThrottleReply>;
};

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const toSeconds = (ms: number): number => Math.ceil(ms / 1000);

/**
 * The throttler's counters on the module's own Redis connection, under its key prefix, so that
 * all instances share one budget per client and a Redis Cluster works as a single Redis does.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly redis: ScriptedClient;

  constructor(
    redis: RedisClient,
    private readonly keyPrefix: string,
  ) {
    redis.defineCommand('otpThrottleHit', { numberOfKeys: 2, lua: THROTTLE_HIT_SCRIPT });
    this.redis = redis as ScriptedClient;
  }

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const k = throttleKeys(this.keyPrefix, key, throttlerName);
    let reply: ThrottleReply;
    try {
      reply = await this.redis.otpThrottleHit(k.hits, k.block, ttlMs, limit, blockDurationMs);
    } catch (error) {
      // Without its counters the service cannot tell an attacker from a user: refuse, as the store would.
      this.logger.warn(`Redis call failed (throttler): ${redisFailureCause(this.redis, error)}`);
      throw new StoreUnavailableError();
    }
    const [totalHits, expireMs, blocked, blockMs] = reply;
    return {
      totalHits,
      timeToExpire: toSeconds(expireMs),
      isBlocked: blocked === 1,
      timeToBlockExpire: toSeconds(blockMs),
    };
  }
}

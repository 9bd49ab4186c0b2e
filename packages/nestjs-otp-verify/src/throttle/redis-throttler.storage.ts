import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitedError, StoreUnavailableError } from '../otp.errors.js';
import { throttleKeys } from '../store/otp-keys.js';
import { redisFailureCause, type RedisClient } from '../store/redis-connection.js';
import { RedisDeadline } from '../store/redis-deadline.js';
import { redisScripts, type RedisScripts } from '../store/redis-scripts.js';
import { THROTTLE_GIVE_BACK_SCRIPT } from './throttle-give-back.lua.js';
import type { ScriptRider } from '../store/script-rider.js';
import { carryingThrottleHit, THROTTLE_HIT_SCRIPT, THROTTLED } from './throttle-hit.lua.js';

type ThrottleReply = [number, number, number, number];

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const toSeconds = (ms: number): number => Math.ceil(ms / 1000);

/** Bounds the memory of remembered blocks under a spread-out attack. */
const MAX_REMEMBERED_BLOCKS = 100_000;

const blockedRecord = (limit: number, leftMs: number): ThrottlerStorageRecord => ({
  totalHits: limit + 1,
  timeToExpire: toSeconds(leftMs),
  isBlocked: true,
  timeToBlockExpire: toSeconds(leftMs),
});

/**
 * The throttler's counters on the module's own Redis connection, under its key prefix, so that
 * all instances share one budget per client and a Redis Cluster works as a single Redis does.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly scripts: RedisScripts;
  /**
   * Blocks this instance has seen, by key. A blocked client's deadline is fixed (refused hits are
   * not counted, see the script), so until then its refusals need no round trip to Redis.
   */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
  ) {
    this.scripts = redisScripts(redis);
  }

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
    deadline = RedisDeadline.startingNow(),
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const cacheKey = `${throttlerName}:${key}`;
    const remembered = this.rememberedBlock(cacheKey, limit, now);
    if (remembered) return remembered;
    const k = throttleKeys(this.keyPrefix, key, throttlerName);
    let reply: ThrottleReply;
    try {
      reply = await this.scripts.run<ThrottleReply>(
        THROTTLE_HIT_SCRIPT,
        [k.hits, k.block],
        [ttlMs, limit, blockDurationMs],
        deadline,
      );
    } catch (error) {
      // Without its counters the service cannot tell an attacker from a user: refuse, as the store would.
      this.logger.warn(`Redis call failed (throttler): ${redisFailureCause(this.redis, error)}`);
      throw new StoreUnavailableError();
    }
    const [totalHits, expireMs, blocked, blockMs] = reply;
    if (blocked === 1) this.rememberBlock(cacheKey, now + blockMs);
    else {
      deadline.undoIfUnavailable(() => this.scripts.run(THROTTLE_GIVE_BACK_SCRIPT, [k.hits], []));
    }
    return {
      totalHits,
      timeToExpire: toSeconds(expireMs),
      isBlocked: blocked === 1,
      timeToBlockExpire: toSeconds(blockMs),
    };
  }

  /**
   * On one Redis, leaves the hit to the request's next write script (see store/script-rider.ts),
   * which saves a round trip: the answer is then a blocked record, known without Redis, or none
   * (the hit rides). On a cluster the client's key is in a slot of its own: the hit is made now.
   */
  async rideOrIncrement(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
    deadline: RedisDeadline,
  ): Promise<ThrottlerStorageRecord | undefined> {
    if (this.redis.isCluster) {
      return this.increment(key, ttlMs, limit, blockDurationMs, throttlerName, deadline);
    }
    const now = Date.now();
    const cacheKey = `${throttlerName}:${key}`;
    const remembered = this.rememberedBlock(cacheKey, limit, now);
    if (remembered) return remembered;
    const k = throttleKeys(this.keyPrefix, key, throttlerName);
    const rider: ScriptRider = {
      redis: this.redis,
      keys: [k.hits, k.block],
      args: [ttlMs, limit, blockDurationMs],
      carriedBy: carryingThrottleHit,
      settle: (reply) => {
        // A carried script may answer anything, nil included: only this word is the hit's.
        if (Array.isArray(reply) && reply[0] === THROTTLED) {
          const blockMs = (reply as [string, number])[1];
          this.rememberBlock(cacheKey, Date.now() + blockMs);
          throw new RateLimitedError({ waitMs: blockMs, windowSeconds: ttlMs / 1000 });
        }
        deadline.undoIfUnavailable(() => this.scripts.run(THROTTLE_GIVE_BACK_SCRIPT, [k.hits], []));
      },
      // After the answer, on a deadline of its own: the request's may have run out.
      alone: () => this.increment(key, ttlMs, limit, blockDurationMs, throttlerName),
    };
    deadline.carry(rider);
    return undefined;
  }

  private rememberedBlock(
    cacheKey: string,
    limit: number,
    now: number,
  ): ThrottlerStorageRecord | undefined {
    const until = this.blockedUntil.get(cacheKey);
    if (until === undefined) return undefined;
    if (until > now) return blockedRecord(limit, until - now);
    this.blockedUntil.delete(cacheKey);
    return undefined;
  }

  private rememberBlock(cacheKey: string, until: number): void {
    if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) {
      const now = Date.now();
      for (const [key, deadline] of this.blockedUntil) {
        if (deadline <= now) this.blockedUntil.delete(key);
      }
      // Still full: forgetting is safe, Redis keeps every block.
      if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) this.blockedUntil.clear();
    }
    this.blockedUntil.set(cacheKey, until);
  }
}

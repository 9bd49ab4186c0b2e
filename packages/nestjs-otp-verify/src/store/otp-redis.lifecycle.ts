import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { InjectOtpRedis, InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import {
  redisFailureCause,
  type RedisClient,
  waitUntilReady,
  watchConnection,
} from './redis-connection.js';

/** Connects before the first request and closes the connection the module opened itself. */
@Injectable()
export class OtpRedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('OtpRedis');

  constructor(
    @InjectOtpRedis() private readonly redis: RedisClient | null,
    @InjectOtpSettings() private readonly settings: OtpSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    // Errors are answered per request (503) and logged there with their cause; the listener
    // also stops ioredis from printing each reconnection attempt.
    watchConnection(this.redis);
    if (!(await waitUntilReady(this.redis, 2000))) {
      const cause = redisFailureCause(this.redis, 'not connected');
      const auth = /WRONGPASS|NOAUTH|AUTH/i.test(cause)
        ? 'Redis refused authentication: check the user name and password of the Redis URL'
        : 'Redis is not reachable yet';
      this.logger.warn(`${auth} (${cause}); requests answer 503 until it is`);
      this.logger.warn('Could not check Redis maxmemory-policy: Redis is not reachable');
      return;
    }
    await this.checkEvictionPolicy(this.redis);
  }

  /**
   * Lockouts, send counts and throttle blocks are only as good as Redis's promise to keep them:
   * under any eviction policy, an attacker who fills memory evicts them.
   */
  private async checkEvictionPolicy(redis: RedisClient): Promise<void> {
    let policy: string;
    try {
      const node = redis instanceof Cluster ? redis.nodes('master')[0] : redis;
      const reply = (await node.config('GET', 'maxmemory-policy')) as string[];
      policy = reply[1];
    } catch (error) {
      // Managed Redis often disables CONFIG; the operator must then check it by other means.
      this.logger.warn(
        `Could not check Redis maxmemory-policy (${redisFailureCause(redis, error)}); it must be noeviction`,
      );
      return;
    }
    if (policy === 'noeviction') return;
    const problem = `Redis maxmemory-policy is ${policy}: when memory runs short Redis evicts lockouts, send counts and throttle blocks; set it to noeviction`;
    if (this.settings.evictingRedis === 'refuse') throw new Error(problem);
    this.logger.warn(problem);
  }

  async onApplicationShutdown(): Promise<void> {
    const owned = this.settings.redis && !('client' in this.settings.redis);
    if (!this.redis || !owned) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectOtpRedis, InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import {
  redisFailureCause,
  type RedisClient,
  waitUntilReady,
  watchConnection,
} from './redis-connection.js';
import { redisScripts } from './redis-scripts.js';

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
    const ready = await waitUntilReady(this.redis, 2000);
    if (!ready) {
      const cause = redisFailureCause(this.redis, 'not connected');
      const auth = /WRONGPASS|NOAUTH|AUTH/i.test(cause)
        ? 'Redis refused authentication: check the user name and password of the Redis URL'
        : 'Redis is not reachable yet';
      this.logger.warn(`${auth} (${cause}); requests answer 503 until it is`);
    }
    // Checked now and on every reconnect. A Redis that evicts at start-up stops it in production;
    // one found later refuses every call until it is fixed (see eviction-policy.ts).
    const problem = await redisScripts(this.redis).evictionPolicy.watch(
      this.settings.evictingRedis,
    );
    if (ready && problem && this.settings.evictingRedis === 'refuse') throw new Error(problem);
  }

  async onApplicationShutdown(): Promise<void> {
    const owned = this.settings.redis && !('client' in this.settings.redis);
    if (!this.redis || !owned) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

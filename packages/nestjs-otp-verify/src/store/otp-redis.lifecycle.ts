import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectOtpRedis, InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import { type RedisClient, waitUntilReady } from './redis-connection.js';

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
    // Errors are answered per request (503); without a listener ioredis would log each retry.
    this.redis.on('error', () => undefined);
    if (!(await waitUntilReady(this.redis, 2000))) {
      this.logger.warn('Redis is not reachable yet; requests answer 503 until it is');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const owned = this.settings.redis && !('client' in this.settings.redis);
    if (!this.redis || !owned) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

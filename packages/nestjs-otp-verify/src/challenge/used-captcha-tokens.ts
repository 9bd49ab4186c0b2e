import { createHash } from 'node:crypto';
import { StoreUnavailableError } from '../otp.errors.js';
import { captchaTokenKey } from '../store/otp-keys.js';
import type { RedisClient } from '../store/redis-connection.js';
import type { RedisDeadline } from '../store/redis-deadline.js';
import { redisScripts, type RedisScripts } from '../store/redis-scripts.js';

/** How long a used token is refused: longer than any provider keeps a token valid (5 minutes). */
export const USED_TOKEN_MEMORY_MS = 10 * 60 * 1000;

/**
 * Tokens already presented, so one solved challenge buys one request: the providers refuse a
 * redeemed token too, but only once their siteverify is asked, and a copy replayed on another
 * instance at the same moment could pass twice.
 */
export interface UsedCaptchaTokens {
  /** True the first time a token is presented within the memory, false after. */
  claim(token: string, deadline?: RedisDeadline): Promise<boolean>;
}

const digestOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Across instances: one `SET NX` per token, under its digest (never the token itself). */
export class RedisUsedCaptchaTokens implements UsedCaptchaTokens {
  private readonly scripts: RedisScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
  ) {
    this.scripts = redisScripts(redis);
  }

  async claim(token: string, deadline?: RedisDeadline): Promise<boolean> {
    const key = captchaTokenKey(this.keyPrefix, digestOf(token));
    const set = () => this.redis.set(key, '1', 'PX', USED_TOKEN_MEMORY_MS, 'NX');
    try {
      return (await this.scripts.command(set, deadline)) === 'OK';
    } catch {
      throw new StoreUnavailableError();
    }
  }
}

/** One process: development and host-app tests. */
export class InMemoryUsedCaptchaTokens implements UsedCaptchaTokens {
  private readonly usedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(token: string): Promise<boolean> {
    const now = this.now();
    const digest = digestOf(token);
    if ((this.usedUntil.get(digest) ?? 0) > now) return false;
    if (this.usedUntil.size > 100_000) {
      for (const [key, until] of this.usedUntil) if (until <= now) this.usedUntil.delete(key);
    }
    this.usedUntil.set(digest, now + USED_TOKEN_MEMORY_MS);
    return true;
  }
}

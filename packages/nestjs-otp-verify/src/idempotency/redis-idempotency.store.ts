import { Logger } from '@nestjs/common';
import { callStore, type RedisClient } from '../store/redis-connection.js';
import type { RedisDeadline } from '../store/redis-deadline.js';
import { redisScripts, type RedisScripts } from '../store/redis-scripts.js';
import {
  CLAIM_IDEMPOTENCY_KEY_SCRIPT,
  COMPLETE_IDEMPOTENCY_KEY_SCRIPT,
  RELEASE_IDEMPOTENCY_KEY_SCRIPT,
} from './idempotency.lua.js';
import type { IdempotencyClaim, IdempotencyStore, StoredAnswer } from './idempotency-store.js';

/** Keys shared by every instance on the module's Redis (one node or a cluster). */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly logger = new Logger('OtpIdempotency');
  private readonly scripts: RedisScripts;

  constructor(private readonly redis: RedisClient) {
    this.scripts = redisScripts(redis);
  }

  async claim(
    key: string,
    fingerprint: string,
    inFlightMs: number,
    deadline?: RedisDeadline,
  ): Promise<IdempotencyClaim> {
    const [outcome, answer] = await this.call(() =>
      this.scripts.run<[string, string?]>(
        CLAIM_IDEMPOTENCY_KEY_SCRIPT,
        [key],
        [fingerprint, inFlightMs],
        deadline,
      ),
    );
    if (outcome === 'replay') return { outcome, answer: JSON.parse(answer!) as StoredAnswer };
    return { outcome: outcome as 'claimed' | 'reused' | 'in_use' };
  }

  async complete(
    key: string,
    fingerprint: string,
    answer: StoredAnswer,
    ttlMs: number,
    deadline?: RedisDeadline,
  ) {
    await this.call(() =>
      this.scripts.run(
        COMPLETE_IDEMPOTENCY_KEY_SCRIPT,
        [key],
        [fingerprint, JSON.stringify(answer), ttlMs],
        deadline,
      ),
    );
  }

  async answered(key: string, deadline?: RedisDeadline): Promise<boolean> {
    const read = () => this.redis.hexists(key, 'a');
    const found = await this.call(() => this.scripts.command(read, deadline));
    return found === 1;
  }

  async release(key: string, fingerprint: string, deadline?: RedisDeadline): Promise<void> {
    await this.call(() =>
      this.scripts.run(RELEASE_IDEMPOTENCY_KEY_SCRIPT, [key], [fingerprint], deadline),
    );
  }

  private call<T>(command: () => Promise<T>): Promise<T> {
    return callStore(this.redis, this.logger, command);
  }
}

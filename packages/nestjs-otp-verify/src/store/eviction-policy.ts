import { Logger } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { redisFailureCause, type RedisClient } from './redis-connection.js';

/** While refused, a call checks the policy again at most this often, so a fix is seen at once. */
const RECHECK_AFTER_MS = 1000;

export type EvictingRedis = 'refuse' | 'warn';

/**
 * Lockouts, send counts and throttle blocks are only as good as Redis's promise to keep them:
 * under any eviction policy, an attacker who fills memory evicts them. The policy is read when
 * the module starts and again each time a connection (each master's, on a cluster) is made,
 * since the Redis behind it may have been replaced. With `refuse` an evicting Redis gets no call
 * until its policy is `noeviction` again: every call then fails (503) and readiness with it.
 */
export class EvictionPolicy {
  private readonly logger = new Logger('OtpRedis');
  private mode?: EvictingRedis;
  private checking?: Promise<string | undefined>;
  /** Why calls are refused, while they are. */
  private refusal?: string;
  private checkedAt = 0;
  private readonly watched = new WeakSet<Redis>();

  constructor(private readonly redis: RedisClient) {}

  /**
   * Checks now, then on every (re)connect. Resolves with the problem found, if any; throws
   * nothing, the caller decides what a problem means at start-up.
   */
  watch(mode: EvictingRedis): Promise<string | undefined> {
    this.mode = mode;
    const redis = this.redis;
    this.watchConnection(redis);
    if (redis instanceof Cluster) {
      redis.on('ready', () => this.check());
      redis.on('+node', (node: Redis) => this.watchConnection(node));
      redis.nodes().forEach((node) => this.watchConnection(node));
    }
    return this.check();
  }

  /** True when calls may go to Redis with nothing to wait for. */
  admitsNow(): boolean {
    return this.checking === undefined && this.refusal === undefined;
  }

  /** Resolves when calls may go to Redis; throws, with the reason, while they may not. */
  async admit(): Promise<void> {
    if (this.checking) await this.checking;
    if (this.refusal === undefined) return;
    if (Date.now() - this.checkedAt >= RECHECK_AFTER_MS) await this.check();
    if (this.refusal !== undefined) throw new Error(this.refusal);
  }

  private watchConnection(connection: RedisClient): void {
    if (connection instanceof Cluster || this.watched.has(connection)) return;
    this.watched.add(connection);
    connection.on('ready', () => void this.check());
  }

  private check(): Promise<string | undefined> {
    this.checking ??= this.read().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async read(): Promise<string | undefined> {
    if (!this.mode) return undefined;
    const redis = this.redis;
    const masters = redis instanceof Cluster ? redis.nodes('master') : [redis];
    let policies: string[];
    try {
      policies = await Promise.all(
        masters.map(
          async (node) => ((await node.config('GET', 'maxmemory-policy')) as string[])[1],
        ),
      );
    } catch (error) {
      // Managed Redis often disables CONFIG; the operator must then check it by other means.
      this.logger.warn(
        `Could not check Redis maxmemory-policy (${redisFailureCause(redis, error)}); it must be noeviction`,
      );
      return undefined;
    } finally {
      this.checkedAt = Date.now();
    }
    const policy = policies.find((p) => p !== 'noeviction');
    const wasRefused = this.refusal !== undefined;
    if (policy === undefined) {
      if (wasRefused) this.logger.warn('Redis maxmemory-policy is noeviction again; calls resume');
      this.refusal = undefined;
      return undefined;
    }
    const problem = `Redis maxmemory-policy is ${policy}: when memory runs short Redis evicts lockouts, send counts and throttle blocks; set it to noeviction`;
    if (this.mode === 'refuse') {
      if (!wasRefused) this.logger.warn(`${problem}. Every call answers 503 until it is`);
      this.refusal = problem;
    } else {
      this.logger.warn(problem);
    }
    return problem;
  }
}

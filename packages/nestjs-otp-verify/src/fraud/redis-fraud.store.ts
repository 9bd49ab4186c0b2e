import { Logger } from '@nestjs/common';
import { StoreUnavailableError } from '../otp.errors.js';
import { fraudKeys } from '../store/otp-keys.js';
import { redisFailureCause, type RedisClient } from '../store/redis-connection.js';
import { redisScripts, type RedisScripts } from '../store/redis-scripts.js';
import type {
  CountryAdmission,
  FraudStore,
  PrefixAdmission,
  PrefixPolicy,
  QuarantinedPrefix,
} from './fraud-store.js';
import { COUNTRY_BUDGET_WINDOW_MS } from './fraud-guard-options.js';
import { ADMIT_COUNTRY_SCRIPT } from './lua/admit-country.lua.js';
import { ADMIT_PREFIX_SCRIPT } from './lua/admit-prefix.lua.js';
import { RECORD_APPROVAL_SCRIPT } from './lua/record-approval.lua.js';
import { RELEASE_PREFIX_SCRIPT } from './lua/release-prefix.lua.js';
import { WITHDRAW_SEND_SCRIPT } from './lua/withdraw-send.lua.js';

type PrefixReply = [string, number, string, string, number, number];
type ReleaseReply = [string, string, string, number] | [];

const figure = (value: string): number => Math.round(Number(value) * 100) / 100;

/** The guard's counters in Redis, shared by every instance on it, cluster or not. */
export class RedisFraudStore implements FraudStore {
  private readonly logger = new Logger(RedisFraudStore.name);
  private readonly scripts: RedisScripts;
  private readonly keys: ReturnType<typeof fraudKeys>;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
  ) {
    this.scripts = redisScripts(redis);
    this.keys = fraudKeys(keyPrefix);
  }

  async admitPrefix(
    prefix: string,
    country: string,
    policy: PrefixPolicy,
  ): Promise<PrefixAdmission> {
    const [outcome, bucket, sends, approvals, quarantinedUntil, expired] = await this.call(() =>
      this.scripts.run<PrefixReply>(
        ADMIT_PREFIX_SCRIPT,
        [this.keys.prefix(prefix)],
        [
          policy.windowMs,
          policy.minSends,
          policy.minConversion,
          policy.quarantineMs,
          policy.enforce ? '1' : '0',
          country,
        ],
      ),
    );
    if (outcome === 'quarantined') {
      // The listing's index lives in a slot of its own; the prefix's key stays the truth.
      const index = () => this.redis.zadd(this.keys.quarantined, quarantinedUntil, prefix);
      await this.call(() => this.scripts.command(index)).catch(() => undefined);
    }
    return {
      outcome: outcome as PrefixAdmission['outcome'],
      bucket,
      sends: figure(sends),
      approvals: figure(approvals),
      quarantinedUntil,
      expired: expired === 1,
    };
  }

  async admitCountry(country: string, limit: number, enforce: boolean): Promise<CountryAdmission> {
    const [outcome, bucket, retryAfterMs] = await this.call(() =>
      this.scripts.run<[string, number, number]>(
        ADMIT_COUNTRY_SCRIPT,
        [this.keys.country(country)],
        [COUNTRY_BUDGET_WINDOW_MS, limit, enforce ? '1' : '0'],
      ),
    );
    return { outcome: outcome as CountryAdmission['outcome'], bucket, retryAfterMs };
  }

  async withdrawPrefixSend(prefix: string, bucket: number): Promise<void> {
    await this.call(() =>
      this.scripts.run(WITHDRAW_SEND_SCRIPT, [this.keys.prefix(prefix)], [bucket]),
    );
  }

  async withdrawCountrySend(country: string, bucket: number): Promise<void> {
    await this.call(() =>
      this.scripts.run(WITHDRAW_SEND_SCRIPT, [this.keys.country(country)], [bucket]),
    );
  }

  async recordApproval(prefix: string, windowMs: number): Promise<void> {
    await this.call(() =>
      this.scripts.run(RECORD_APPROVAL_SCRIPT, [this.keys.prefix(prefix)], [windowMs]),
    );
  }

  async quarantined(): Promise<QuarantinedPrefix[]> {
    const now = Date.now();
    const prefixes = await this.call(() =>
      this.scripts.command(async () => {
        await this.redis.zremrangebyscore(this.keys.quarantined, '-inf', now);
        return this.redis.zrangebyscore(this.keys.quarantined, now, '+inf');
      }),
    );
    // One read per prefix: in a cluster each sits in its own slot.
    const rows = await this.call(() =>
      this.scripts.command(() =>
        Promise.all(
          prefixes.map((prefix) =>
            this.redis.hmget(this.keys.prefix(prefix), 'q', 'qs', 'qa', 'qc'),
          ),
        ),
      ),
    );
    return rows.flatMap(([until, sends, approvals, country], i) =>
      Number(until ?? 0) > now
        ? [
            {
              prefix: prefixes[i],
              country: country ?? '',
              sends: figure(sends ?? '0'),
              approvals: figure(approvals ?? '0'),
              quarantinedUntil: Number(until),
            },
          ]
        : [],
    );
  }

  async release(prefix: string): Promise<QuarantinedPrefix | undefined> {
    const reply = await this.call(() =>
      this.scripts.run<ReleaseReply>(RELEASE_PREFIX_SCRIPT, [this.keys.prefix(prefix)], []),
    );
    const unindex = () => this.redis.zrem(this.keys.quarantined, prefix);
    await this.call(() => this.scripts.command(unindex)).catch(() => undefined);
    if (reply.length === 0) return undefined;
    const [country, sends, approvals, quarantinedUntil] = reply;
    return {
      prefix,
      country,
      sends: figure(sends),
      approvals: figure(approvals),
      quarantinedUntil,
    };
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.logger.warn(`Redis call failed: ${redisFailureCause(this.redis, error)}`);
      throw new StoreUnavailableError();
    }
  }
}

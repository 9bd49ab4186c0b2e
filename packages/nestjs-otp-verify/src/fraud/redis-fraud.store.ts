import { Logger } from '@nestjs/common';
import { StoreUnavailableError } from '../otp.errors.js';
import { fraudKeys } from '../store/otp-keys.js';
import type { RedisClient } from '../store/redis-connection.js';
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

type Arg = string | number;
interface FraudCommands {
  otpFraudAdmitPrefix(...args: Arg[]): Promise<[string, number, string, string, number, number]>;
  otpFraudAdmitCountry(...args: Arg[]): Promise<[string, number, number]>;
  otpFraudWithdraw(...args: Arg[]): Promise<number>;
  otpFraudApprove(...args: Arg[]): Promise<number>;
  otpFraudRelease(...args: Arg[]): Promise<[string, string, string, number] | []>;
}
type ScriptedClient = RedisClient & FraudCommands;

const figure = (value: string): number => Math.round(Number(value) * 100) / 100;

/** The guard's counters in Redis, shared by every instance on it, cluster or not. */
export class RedisFraudStore implements FraudStore {
  private readonly logger = new Logger(RedisFraudStore.name);
  private readonly redis: ScriptedClient;
  private readonly keys: ReturnType<typeof fraudKeys>;

  constructor(redis: RedisClient, keyPrefix: string) {
    redis.defineCommand('otpFraudAdmitPrefix', { numberOfKeys: 1, lua: ADMIT_PREFIX_SCRIPT });
    redis.defineCommand('otpFraudAdmitCountry', { numberOfKeys: 1, lua: ADMIT_COUNTRY_SCRIPT });
    redis.defineCommand('otpFraudWithdraw', { numberOfKeys: 1, lua: WITHDRAW_SEND_SCRIPT });
    redis.defineCommand('otpFraudApprove', { numberOfKeys: 1, lua: RECORD_APPROVAL_SCRIPT });
    redis.defineCommand('otpFraudRelease', { numberOfKeys: 1, lua: RELEASE_PREFIX_SCRIPT });
    this.redis = redis as ScriptedClient;
    this.keys = fraudKeys(keyPrefix);
  }

  async admitPrefix(
    prefix: string,
    country: string,
    policy: PrefixPolicy,
  ): Promise<PrefixAdmission> {
    const [outcome, bucket, sends, approvals, quarantinedUntil, expired] = await this.call(() =>
      this.redis.otpFraudAdmitPrefix(
        this.keys.prefix(prefix),
        policy.windowMs,
        policy.minSends,
        policy.minConversion,
        policy.quarantineMs,
        policy.enforce ? '1' : '0',
        country,
      ),
    );
    if (outcome === 'quarantined') {
      // The listing's index lives in a slot of its own; the prefix's key stays the truth.
      await this.call(() => this.redis.zadd(this.keys.quarantined, quarantinedUntil, prefix)).catch(
        () => undefined,
      );
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
      this.redis.otpFraudAdmitCountry(
        this.keys.country(country),
        COUNTRY_BUDGET_WINDOW_MS,
        limit,
        enforce ? '1' : '0',
      ),
    );
    return { outcome: outcome as CountryAdmission['outcome'], bucket, retryAfterMs };
  }

  async withdrawPrefixSend(prefix: string, bucket: number): Promise<void> {
    await this.call(() => this.redis.otpFraudWithdraw(this.keys.prefix(prefix), bucket));
  }

  async withdrawCountrySend(country: string, bucket: number): Promise<void> {
    await this.call(() => this.redis.otpFraudWithdraw(this.keys.country(country), bucket));
  }

  async recordApproval(prefix: string, windowMs: number): Promise<void> {
    await this.call(() => this.redis.otpFraudApprove(this.keys.prefix(prefix), windowMs));
  }

  async quarantined(): Promise<QuarantinedPrefix[]> {
    const now = Date.now();
    const prefixes = await this.call(async () => {
      await this.redis.zremrangebyscore(this.keys.quarantined, '-inf', now);
      return this.redis.zrangebyscore(this.keys.quarantined, now, '+inf');
    });
    // One read per prefix: in a cluster each sits in its own slot.
    const rows = await this.call(() =>
      Promise.all(
        prefixes.map((prefix) => this.redis.hmget(this.keys.prefix(prefix), 'q', 'qs', 'qa', 'qc')),
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
    const reply = await this.call(() => this.redis.otpFraudRelease(this.keys.prefix(prefix)));
    await this.call(() => this.redis.zrem(this.keys.quarantined, prefix)).catch(() => undefined);
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
      this.logger.warn(`Redis call failed: ${(error as Error).message}`);
      throw new StoreUnavailableError();
    }
  }
}

import { Logger } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { StoreUnavailableError } from '../otp.errors.js';
import { ISSUE_CODE_SCRIPT } from './lua/issue-code.lua.js';
import { REVOKE_CODE_SCRIPT } from './lua/revoke-code.lua.js';
import { VERIFY_CODE_SCRIPT } from './lua/verify-code.lua.js';
import { healthProbeKey, otpNumberKey } from './otp-keys.js';
import { redisFailureCause } from './redis-connection.js';
import { redisScripts, type RedisScripts } from './redis-scripts.js';
import type {
  IssuePolicy,
  IssueResult,
  OtpStore,
  VerifyPolicy,
  VerifyResult,
} from './otp-store.js';

type ScriptReply = [string, number];

/** Codes and per-number limits on Redis, one hash per number (see lua/number-state.lua.ts). */
export class RedisOtpStore implements OtpStore {
  private readonly logger = new Logger(RedisOtpStore.name);
  private readonly scripts: RedisScripts;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
  ) {
    this.scripts = redisScripts(redis);
  }

  async issue(phoneNumber: string, codeHash: string, policy: IssuePolicy): Promise<IssueResult> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const [outcome, retryAfterMs] = await this.call(() =>
      this.scripts.run<ScriptReply>(
        ISSUE_CODE_SCRIPT,
        [key],
        [
          codeHash,
          policy.ttlMs,
          policy.maxAttempts,
          policy.cooldownMs,
          policy.maxSends,
          policy.sendWindowMs,
          policy.lockoutThreshold,
          policy.perNumberLimits === false ? '0' : '1',
        ],
      ),
    );
    if (outcome === 'issued') return { outcome };
    return { outcome: outcome as 'locked' | 'cooldown' | 'send_limit', retryAfterMs };
  }

  async revoke(phoneNumber: string, codeHash: string): Promise<void> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    await this.call(() => this.scripts.run(REVOKE_CODE_SCRIPT, [key], [codeHash]));
  }

  async verify(phoneNumber: string, codeHash: string, policy: VerifyPolicy): Promise<VerifyResult> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const [outcome, value] = await this.call(() =>
      this.scripts.run<ScriptReply>(
        VERIFY_CODE_SCRIPT,
        [key],
        [codeHash, policy.lockoutThreshold, policy.lockoutWindowMs],
      ),
    );
    switch (outcome) {
      case 'approved':
      case 'not_found':
        return { outcome };
      case 'incorrect':
        return { outcome, attemptsRemaining: value };
      default:
        return { outcome: outcome as 'attempts_exceeded' | 'locked', retryAfterMs: value };
    }
  }

  /**
   * Ready means the store takes writes: a PING still answers when Redis is out of memory under
   * `noeviction`, so a short-lived key is written. On a cluster that reaches one node only, so
   * every master the client knows must also say the cluster is ok, which it does not while a
   * failed master's slots are unserved.
   */
  async failedVerifications(phoneNumber: string): Promise<number> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const read = () => this.redis.hmget(key, 'f', 'l');
    const [failures, until] = await this.call(() => this.scripts.command(read));
    // The lockout window's end is in ms of Redis's clock; this instance's is close enough here.
    return Number(until ?? 0) > Date.now() ? Number(failures ?? 0) : 0;
  }

  async ping(): Promise<void> {
    const redis = this.redis;
    const probe = () => redis.set(healthProbeKey(this.keyPrefix), '1', 'PX', 10_000);
    await this.call(() => this.scripts.command(probe));
    if (!(redis instanceof Cluster)) return;
    const states = await this.call(() =>
      this.scripts.command(() =>
        Promise.all(redis.nodes('master').map((node) => node.cluster('INFO'))),
      ),
    );
    if (states.length === 0 || !states.every((info) => info.includes('cluster_state:ok'))) {
      throw new StoreUnavailableError();
    }
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

import { Logger } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { StoreUnavailableError } from '../otp.errors.js';
import { ISSUE_CODE_SCRIPT } from './lua/issue-code.lua.js';
import { REVOKE_CODE_SCRIPT } from './lua/revoke-code.lua.js';
import { VERIFY_CODE_SCRIPT } from './lua/verify-code.lua.js';
import { healthProbeKey, otpNumberKey } from './otp-keys.js';
import { redisFailureCause } from './redis-connection.js';
import type {
  IssuePolicy,
  IssueResult,
  OtpStore,
  VerifyPolicy,
  VerifyResult,
} from './otp-store.js';

type ScriptArg = string | number;
type ScriptReply = [string, number];

interface OtpCommands {
  otpIssue(...args: ScriptArg[]): Promise<ScriptReply>;
  otpRevoke(...args: ScriptArg[]): Promise<number>;
  otpVerify(...args: ScriptArg[]): Promise<ScriptReply>;
}

type ScriptedClient = (Redis | Cluster) & OtpCommands;

export class RedisOtpStore implements OtpStore {
  private readonly logger = new Logger(RedisOtpStore.name);
  private readonly redis: ScriptedClient;

  constructor(
    redis: Redis | Cluster,
    private readonly keyPrefix: string,
  ) {
    // defineCommand sends EVALSHA and falls back to EVAL once per node on NOSCRIPT.
    redis.defineCommand('otpIssue', { numberOfKeys: 1, lua: ISSUE_CODE_SCRIPT });
    redis.defineCommand('otpRevoke', { numberOfKeys: 1, lua: REVOKE_CODE_SCRIPT });
    redis.defineCommand('otpVerify', { numberOfKeys: 1, lua: VERIFY_CODE_SCRIPT });
    this.redis = redis as ScriptedClient;
  }

  async issue(phoneNumber: string, codeHash: string, policy: IssuePolicy): Promise<IssueResult> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const [outcome, retryAfterMs] = await this.call(() =>
      this.redis
        .otpIssue(
          key,
          codeHash,
          policy.ttlMs,
          policy.maxAttempts,
          policy.cooldownMs,
          policy.maxSends,
          policy.sendWindowMs,
          policy.lockoutThreshold,
          policy.perNumberLimits === false ? '0' : '1',
        )
        .catch((error: unknown) => {
          // A script that timed out on our side may still run once a stalled Redis wakes up,
          // leaving a code, a cooldown and a send behind a 503. Its undo is queued behind it on
          // the same connection, so Redis runs both or neither; nobody waits for the answer.
          // A test number's issue counted nothing, so there is nothing to give back.
          if (policy.perNumberLimits !== false) {
            this.redis.otpRevoke(key, codeHash).catch(() => undefined);
          }
          throw error;
        }),
    );
    if (outcome === 'issued') return { outcome };
    return { outcome: outcome as 'locked' | 'cooldown' | 'send_limit', retryAfterMs };
  }

  async revoke(phoneNumber: string, codeHash: string): Promise<void> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    await this.call(() => this.redis.otpRevoke(key, codeHash));
  }

  async verify(phoneNumber: string, codeHash: string, policy: VerifyPolicy): Promise<VerifyResult> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const [outcome, value] = await this.call(() =>
      this.redis.otpVerify(key, codeHash, policy.lockoutThreshold, policy.lockoutWindowMs),
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
    const [failures, until] = await this.call(() => this.redis.hmget(key, 'f', 'l'));
    // The lockout window's end is in ms of Redis's clock; this instance's is close enough here.
    return Number(until ?? 0) > Date.now() ? Number(failures ?? 0) : 0;
  }

  async ping(): Promise<void> {
    const redis = this.redis;
    await this.call(() => redis.set(healthProbeKey(this.keyPrefix), '1', 'PX', 10_000));
    if (!(redis instanceof Cluster)) return;
    const states = await this.call(() =>
      Promise.all(redis.nodes('master').map((node) => node.cluster('INFO'))),
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

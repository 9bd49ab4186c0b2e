import { Logger } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { StoreUnavailableError } from '../otp.errors.js';
import { ISSUE_CODE_SCRIPT } from './lua/issue-code.lua.js';
import { REVOKE_CODE_SCRIPT } from './lua/revoke-code.lua.js';
import { VERIFY_CODE_SCRIPT } from './lua/verify-code.lua.js';
import { otpKeys } from './otp-keys.js';
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
    redis.defineCommand('otpIssue', { numberOfKeys: 4, lua: ISSUE_CODE_SCRIPT });
    redis.defineCommand('otpRevoke', { numberOfKeys: 3, lua: REVOKE_CODE_SCRIPT });
    redis.defineCommand('otpVerify', { numberOfKeys: 2, lua: VERIFY_CODE_SCRIPT });
    this.redis = redis as ScriptedClient;
  }

  async issue(phoneNumber: string, codeHash: string, policy: IssuePolicy): Promise<IssueResult> {
    const k = otpKeys(this.keyPrefix, phoneNumber);
    const [outcome, retryAfterMs] = await this.call(() =>
      this.redis.otpIssue(
        k.code,
        k.cooldown,
        k.sends,
        k.failures,
        codeHash,
        policy.ttlMs,
        policy.maxAttempts,
        policy.cooldownMs,
        policy.maxSends,
        policy.sendWindowMs,
        policy.lockoutThreshold,
        policy.perNumberLimits === false ? '0' : '1',
      ),
    );
    if (outcome === 'issued') return { outcome };
    return { outcome: outcome as 'locked' | 'cooldown' | 'send_limit', retryAfterMs };
  }

  async revoke(phoneNumber: string, codeHash: string): Promise<void> {
    const k = otpKeys(this.keyPrefix, phoneNumber);
    await this.call(() => this.redis.otpRevoke(k.code, k.cooldown, k.sends, codeHash));
  }

  async verify(phoneNumber: string, codeHash: string, policy: VerifyPolicy): Promise<VerifyResult> {
    const k = otpKeys(this.keyPrefix, phoneNumber);
    const [outcome, value] = await this.call(() =>
      this.redis.otpVerify(
        k.code,
        k.failures,
        codeHash,
        policy.lockoutThreshold,
        policy.lockoutWindowMs,
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
   * On a cluster, a PING would reach one node only: ready means every master the client knows
   * answers and says the cluster is ok, which it does not while a failed master's slots are
   * unserved.
   */
  async ping(): Promise<void> {
    const redis = this.redis;
    if (!(redis instanceof Cluster)) return void (await this.call(() => redis.ping()));
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
      this.logger.warn(`Redis call failed: ${(error as Error).message}`);
      throw new StoreUnavailableError();
    }
  }
}

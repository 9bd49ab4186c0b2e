import { Logger } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { StoreUnavailableError } from '../otp.errors.js';
import type { DeliveryReceipt, ReceiptResult } from '../receipts/delivery-receipt.js';
import type {
  AttemptStatus,
  NewVerification,
  StoredVerificationStatus,
  VerificationAttempt,
  VerificationRecord,
} from '../verification/verification.js';
import { isVerificationId } from '../verification/verification-id.js';
import { ADMIT_FALLBACK_CALL_SCRIPT } from './lua/admit-fallback-call.lua.js';
import { CANCEL_VERIFICATION_SCRIPT } from './lua/cancel-verification.lua.js';
import { ISSUE_CODE_INDEXED_SCRIPT, ISSUE_CODE_SCRIPT } from './lua/issue-code.lua.js';
import { RECORD_ATTEMPT_SCRIPT } from './lua/record-attempt.lua.js';
import { RECORD_RECEIPT_SCRIPT } from './lua/record-receipt.lua.js';
import { REVOKE_CODE_SCRIPT } from './lua/revoke-code.lua.js';
import { VERIFY_CODE_SCRIPT } from './lua/verify-code.lua.js';
import {
  healthProbeKey,
  messageIndexKey,
  otpNumberKey,
  verificationIndexKey,
  verificationKeys,
} from './otp-keys.js';
import { callStore, redisFailureCause } from './redis-connection.js';
import type { RedisDeadline } from './redis-deadline.js';
import { redisScripts, type RedisScripts } from './redis-scripts.js';
import type {
  CancelResult,
  FallbackCallAdmission,
  FallbackCallRefusal,
  IssuePolicy,
  IssueResult,
  OtpStore,
  VerifyPolicy,
  VerifyResult,
} from './otp-store.js';

type ScriptReply = [string, number, string?, string?];

const ID_PREFIX = 'ver_';
/** The id as the keys and records hold it: without `ver_`, four bytes a record. */
const idBodyOf = (id: string): string => id.slice(ID_PREFIX.length);
const idOf = (body: string | undefined): string | undefined =>
  body ? `${ID_PREFIX}${body}` : undefined;

/** The record's fields as verification-record.lua.ts lays them out. */
function recordOf(id: string, phoneNumber: string, fields: Record<string, string>) {
  const record: VerificationRecord = {
    id,
    phoneNumber,
    status: fields.s as StoredVerificationStatus,
    channel: fields.ch,
    locale: fields.lo,
    country: fields.cc,
    createdAt: Number(fields.c),
    expiresAt: Number(fields.x),
    updatedAt: Number(fields.u),
    wrongCodes: Number(fields.w ?? 0),
    test: fields.t === '1',
    attempts: fields.at ? (JSON.parse(fields.at) as VerificationAttempt[]) : [],
  };
  return record;
}

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

  async issue(
    phoneNumber: string,
    codeHash: string,
    policy: IssuePolicy,
    verification?: NewVerification,
    deadline?: RedisDeadline,
  ): Promise<IssueResult> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const { recordStem, record } = verificationKeys(this.keyPrefix, phoneNumber);
    const idBody = verification ? idBodyOf(verification.id) : '';
    // On one Redis the id's index is written by the same script: one round trip, not two.
    const indexKey = verificationIndexKey(this.keyPrefix, idBody);
    const indexed = verification !== undefined && !(this.redis instanceof Cluster);
    const [outcome, retryAfterMs, canceled, suffix] = await this.call(() =>
      this.scripts.run<ScriptReply>(
        indexed ? ISSUE_CODE_INDEXED_SCRIPT : ISSUE_CODE_SCRIPT,
        indexed ? [key, indexKey] : [key],
        [
          codeHash,
          policy.ttlMs,
          policy.maxAttempts,
          policy.cooldownMs,
          policy.maxSends,
          policy.sendWindowMs,
          policy.lockoutThreshold,
          policy.perNumberLimits === false ? '0' : '1',
          recordStem,
          idBody,
          verification?.retentionMs ?? 0,
          verification?.channel ?? '',
          verification?.locale ?? '',
          verification?.country ?? '',
          verification?.test ? '1' : '0',
          policy.maxCalls ?? '',
          verification?.ticket ?? '',
          phoneNumber,
        ],
        deadline,
      ),
    );
    if (outcome !== 'issued') {
      return { outcome: outcome as 'locked' | 'cooldown' | 'send_limit', retryAfterMs };
    }
    if (verification && suffix && !indexed) {
      await this.index(phoneNumber, idBody, suffix, verification.retentionMs, deadline);
    }
    return { outcome, canceled: idOf(canceled), record: suffix ? record(suffix) : undefined };
  }

  /**
   * The id's way to its number, written after the code on a cluster: its key has a slot of its
   * own, so it cannot join the script there. Should it fail, the code still works and the 202 is
   * true; only the status route cannot find this verification, which is logged.
   */
  private async index(
    phoneNumber: string,
    idBody: string,
    suffix: string,
    retentionMs: number,
    deadline?: RedisDeadline,
  ): Promise<void> {
    const key = verificationIndexKey(this.keyPrefix, idBody);
    const value = `${phoneNumber} ${suffix}`;
    await this.scripts
      .command(() => this.redis.set(key, value, 'PX', retentionMs), deadline)
      .catch((error: unknown) => {
        this.logger.warn(`Verification index not written: ${redisFailureCause(this.redis, error)}`);
      });
  }

  async findVerification(
    id: string,
    deadline?: RedisDeadline,
  ): Promise<VerificationRecord | undefined> {
    const located = await this.locate(id, deadline);
    if (!located) return undefined;
    const fields = await this.call(() =>
      this.scripts.command(() => this.redis.hgetall(located.record), deadline),
    );
    return fields.id === idBodyOf(id) ? recordOf(id, located.phoneNumber, fields) : undefined;
  }

  async cancelVerification(id: string, deadline?: RedisDeadline): Promise<CancelResult> {
    const located = await this.locate(id, deadline);
    if (!located) return { outcome: 'not_found' };
    const key = otpNumberKey(this.keyPrefix, located.phoneNumber);
    const [outcome, status] = await this.call(() =>
      this.scripts.run<[string, string]>(
        CANCEL_VERIFICATION_SCRIPT,
        [key, located.record],
        [located.suffix, idBodyOf(id)],
        deadline,
      ),
    );
    if (outcome === 'not_pending') {
      return { outcome, status: status as StoredVerificationStatus | 'expired' };
    }
    return { outcome: outcome as 'canceled' | 'not_found' };
  }

  async admitFallbackCall(
    id: string,
    maxCalls: number,
    deadline?: RedisDeadline,
  ): Promise<FallbackCallAdmission> {
    const located = await this.locate(id, deadline);
    if (!located) return { outcome: 'not_pending' };
    const key = otpNumberKey(this.keyPrefix, located.phoneNumber);
    const [outcome, ticket] = await this.call(() =>
      this.scripts.run<[string, string]>(
        ADMIT_FALLBACK_CALL_SCRIPT,
        [key, located.record],
        [idBodyOf(id), located.suffix, maxCalls],
        deadline,
      ),
    );
    if (outcome !== 'admitted') return { outcome: outcome as FallbackCallRefusal };
    return { outcome, phoneNumber: located.phoneNumber, ticket };
  }

  async recordAttempt(
    id: string,
    attempt: VerificationAttempt,
    record?: string,
    deadline?: RedisDeadline,
  ): Promise<void> {
    // The script checks the record's id, so a record given by the caller is as safe as one found.
    const located = record !== undefined ? { record } : await this.locate(id, deadline);
    if (!located) return;
    const keptForMs = await this.call(() =>
      this.scripts.run<number>(
        RECORD_ATTEMPT_SCRIPT,
        [located.record],
        [idBodyOf(id), JSON.stringify(attempt), attempt.updatedAt],
        deadline,
      ),
    );
    if (attempt.messageId === undefined || keptForMs <= 0) return;
    // Its own slot, so not in the script; expiring with the record, it never outlives it.
    const key = messageIndexKey(this.keyPrefix, attempt.provider, attempt.messageId);
    const index = () => this.redis.set(key, id, 'PX', keptForMs);
    await this.call(() => this.scripts.command(index, deadline));
  }

  async recordReceipt(
    receipt: DeliveryReceipt,
    deadline?: RedisDeadline,
  ): Promise<ReceiptResult | undefined> {
    const { provider, messageId, errorCode } = receipt;
    const key = messageIndexKey(this.keyPrefix, provider, messageId);
    const id = await this.call(() => this.scripts.command(() => this.redis.get(key), deadline));
    const located = id === null ? undefined : await this.locate(id, deadline);
    if (!id || !located) return undefined;
    // 'unknown' comes alone; the other fields are there with the other outcomes.
    const [outcome, status, country, pending] = await this.call(() =>
      this.scripts.run<[string, AttemptStatus, string, string]>(
        RECORD_RECEIPT_SCRIPT,
        [located.record],
        [idBodyOf(id), provider, messageId, receipt.status, errorCode ?? ''],
        deadline,
      ),
    );
    if (outcome === 'unknown') return undefined;
    const changed = outcome === 'changed';
    return { verificationId: id, changed, status, country, pending: pending === '1' };
  }

  private async locate(id: string, deadline?: RedisDeadline) {
    if (!isVerificationId(id)) return undefined;
    const idBody = idBodyOf(id);
    const indexKey = verificationIndexKey(this.keyPrefix, idBody);
    const indexed = await this.call(() =>
      this.scripts.command(() => this.redis.get(indexKey), deadline),
    );
    if (indexed === null) return undefined;
    const [phoneNumber, suffix] = indexed.split(' ');
    const record = verificationKeys(this.keyPrefix, phoneNumber).record(suffix);
    return { phoneNumber, suffix, record };
  }

  async revoke(
    phoneNumber: string,
    codeHash: string,
    call = false,
    deadline?: RedisDeadline,
  ): Promise<void> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const { recordStem } = verificationKeys(this.keyPrefix, phoneNumber);
    const args = [codeHash, recordStem, call ? '1' : '0'];
    await this.call(() => this.scripts.run(REVOKE_CODE_SCRIPT, [key], args, deadline));
  }

  async verify(
    phoneNumber: string,
    codeHash: string,
    policy: VerifyPolicy,
    deadline?: RedisDeadline,
  ): Promise<VerifyResult> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const { recordStem } = verificationKeys(this.keyPrefix, phoneNumber);
    const [outcome, value, idBody, country] = await this.call(() =>
      this.scripts.run<ScriptReply>(
        VERIFY_CODE_SCRIPT,
        [key],
        [codeHash, policy.lockoutThreshold, policy.lockoutWindowMs, recordStem],
        deadline,
      ),
    );
    const verificationId = idOf(idBody);
    switch (outcome) {
      case 'approved':
        return { outcome, verificationId, country: country || undefined };
      case 'not_found':
        return { outcome };
      case 'incorrect':
        return { outcome, attemptsRemaining: value, verificationId };
      case 'attempts_exceeded':
        return { outcome, retryAfterMs: value, verificationId };
      default:
        return { outcome: 'locked', retryAfterMs: value };
    }
  }

  /**
   * Ready means the store takes writes: a PING still answers when Redis is out of memory under
   * `noeviction`, so a short-lived key is written. On a cluster that reaches one node only, so
   * every master the client knows must also say the cluster is ok, which it does not while a
   * failed master's slots are unserved.
   */
  async failedVerifications(phoneNumber: string, deadline?: RedisDeadline): Promise<number> {
    const key = otpNumberKey(this.keyPrefix, phoneNumber);
    const read = () => this.redis.hmget(key, 'f', 'l');
    const [failures, until] = await this.call(() => this.scripts.command(read, deadline));
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

  private call<T>(command: () => Promise<T>): Promise<T> {
    return callStore(this.redis, this.logger, command);
  }
}

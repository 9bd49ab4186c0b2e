import type { DeliveryReceipt, ReceiptResult } from '../receipts/delivery-receipt.js';
import type {
  NewVerification,
  StoredVerificationStatus,
  VerificationAttempt,
  VerificationRecord,
} from '../verification/verification.js';
import type { RedisDeadline } from './redis-deadline.js';

/** The per-number limits a new code must pass, in milliseconds where they are durations. */
export interface IssuePolicy {
  ttlMs: number;
  maxAttempts: number;
  cooldownMs: number;
  maxSends: number;
  sendWindowMs: number;
  lockoutThreshold: number;
  /**
   * False for test numbers: the lockout still refuses, but no cooldown or send cap is checked
   * and no send is recorded; the code is stored with the same TTL and attempts. True when omitted.
   */
  perNumberLimits?: boolean;
  /** Set when the code goes out by a call: calls to the number per send window at most. */
  maxCalls?: number;
}

export interface VerifyPolicy {
  /** Failures allowed in the window; one more locks the number (the threshold itself passes). */
  lockoutThreshold: number;
  lockoutWindowMs: number;
}

export type IssueResult =
  /**
   * `canceled`: the id of the pending verification the new code replaced, if any. `record`: where
   * the store keeps the new verification, for `recordAttempt` (which then need not look it up).
   */
  | { outcome: 'issued'; canceled?: string; record?: string }
  | { outcome: 'locked' | 'cooldown' | 'send_limit'; retryAfterMs: number };

/** `verificationId`: the verification of the code that was checked, when it has one. */
export type VerifyResult =
  /** `country`: the number's, as its verification recorded it (`001` for none). */
  | { outcome: 'approved'; verificationId?: string; country?: string }
  | { outcome: 'not_found' }
  | { outcome: 'incorrect'; attemptsRemaining: number; verificationId?: string }
  | { outcome: 'attempts_exceeded'; retryAfterMs: number; verificationId?: string }
  | { outcome: 'locked'; retryAfterMs: number };

/** Why a fallback call was not admitted (see `OtpStore.admitFallbackCall`). */
export type FallbackCallRefusal = 'not_pending' | 'no_ticket' | 'already_called' | 'call_limit';

export type FallbackCallAdmission =
  { outcome: 'admitted'; phoneNumber: string; ticket: string } | { outcome: FallbackCallRefusal };

export type CancelResult =
  | { outcome: 'canceled' | 'not_found' }
  | { outcome: 'not_pending'; status: StoredVerificationStatus | 'expired' };

/**
 * Codes and per-number counters. Each method is one atomic step: two instances, or two requests
 * of one instance, never see a state half-way through another's call. Implementations throw
 * `StoreUnavailableError` when the backing store cannot answer. `deadline`: the calling
 * request's, which a store on Redis keeps (see store/redis-deadline.ts); a call without one gets
 * its own.
 */
export interface OtpStore {
  /**
   * Checks lockout, cooldown and the send cap, then stores the hash and records the send, with
   * `verification` in the same step; the verification of the code it replaces is canceled.
   */
  issue(
    phoneNumber: string,
    codeHash: string,
    policy: IssuePolicy,
    verification?: NewVerification,
    deadline?: RedisDeadline,
  ): Promise<IssueResult>;
  /**
   * Undoes an `issue` whose SMS was never delivered: removes that code (not a newer one) and
   * gives back the cooldown and the send it counted, and the call when it was one (`call`).
   */
  revoke(
    phoneNumber: string,
    codeHash: string,
    call?: boolean,
    deadline?: RedisDeadline,
  ): Promise<void>;
  /** Checks the code, counts a wrong one, deletes a right one; settles its verification. */
  verify(
    phoneNumber: string,
    codeHash: string,
    policy: VerifyPolicy,
    deadline?: RedisDeadline,
  ): Promise<VerifyResult>;
  /** A verification by id, until its retention ends. */
  findVerification(id: string, deadline?: RedisDeadline): Promise<VerificationRecord | undefined>;
  /** Cancels a pending verification and its code in one step. */
  cancelVerification(id: string, deadline?: RedisDeadline): Promise<CancelResult>;
  /**
   * Records a hand-over of the verification's code to a provider, after the attempts before it;
   * one with a `messageId` is indexed by it, for its receipts, as long as the verification is kept.
   * `record`, when the caller has it from `issue`, saves finding the verification by its id.
   */
  recordAttempt(
    id: string,
    attempt: VerificationAttempt,
    record?: string,
    deadline?: RedisDeadline,
  ): Promise<void>;
  /**
   * Applies a provider's receipt to the attempt of its message, in one step: a final status is
   * never changed. `undefined` when no kept verification has an attempt with that message.
   */
  recordReceipt(
    receipt: DeliveryReceipt,
    deadline?: RedisDeadline,
  ): Promise<ReceiptResult | undefined>;
  /**
   * Counts one call with a pending SMS code: only while that verification's code is the
   * number's pending one, once per verification, within `maxCalls` per send window. Admitted,
   * it gives the ticket the verification kept for it.
   */
  admitFallbackCall(
    id: string,
    maxCalls: number,
    deadline?: RedisDeadline,
  ): Promise<FallbackCallAdmission>;
  /** Failed verifications of the number in its current lockout window; for the challenge step. */
  failedVerifications(phoneNumber: string, deadline?: RedisDeadline): Promise<number>;
  /** Resolves when the store answers; for readiness probes. */
  ping(): Promise<void>;
}

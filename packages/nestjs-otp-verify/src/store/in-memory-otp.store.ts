import { hashesEqual } from '../code/otp-code.js';
import type { DeliveryReceipt, ReceiptResult } from '../receipts/delivery-receipt.js';
import type {
  NewVerification,
  VerificationAttempt,
  VerificationRecord,
} from '../verification/verification.js';
import { InMemoryVerifications } from './in-memory-verifications.js';
import type {
  CancelResult,
  FallbackCallAdmission,
  IssuePolicy,
  IssueResult,
  OtpStore,
  VerifyPolicy,
  VerifyResult,
} from './otp-store.js';

interface Expiring {
  expiresAt: number;
}
interface PendingCode extends Expiring {
  hash: string;
  attemptsLeft: number;
  verificationId?: string;
}
interface Counter extends Expiring {
  count: number;
}
/** The sends of a window, with the calls among them (and fallback calls) in the same window. */
interface SendCounter extends Counter {
  calls?: number;
}

/**
 * The Redis store's semantics in one process, for development and for tests of host apps.
 * Each method runs to completion without awaiting, which makes it as atomic as a Lua script.
 */
export class InMemoryOtpStore implements OtpStore {
  private readonly codes = new Map<string, PendingCode>();
  private readonly cooldowns = new Map<string, Expiring>();
  private readonly sends = new Map<string, SendCounter>();
  private readonly failures = new Map<string, Counter>();

  private readonly verifications: InMemoryVerifications;
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.verifications = new InMemoryVerifications(now);
  }

  async issue(
    phoneNumber: string,
    codeHash: string,
    policy: IssuePolicy,
    verification?: NewVerification,
  ): Promise<IssueResult> {
    this.sweepNowAndThen();
    const failures = this.live(this.failures, phoneNumber);
    if (failures && failures.count > policy.lockoutThreshold) {
      return { outcome: 'locked', retryAfterMs: this.left(failures) };
    }
    if (policy.perNumberLimits === false) {
      return this.store(phoneNumber, codeHash, policy, verification);
    }
    const cooldown = policy.cooldownMs > 0 ? this.live(this.cooldowns, phoneNumber) : undefined;
    const cooldownLeft = cooldown ? this.left(cooldown) : 0;
    const sends = this.live(this.sends, phoneNumber);
    const callLimit = policy.maxCalls !== undefined && (sends?.calls ?? 0) >= policy.maxCalls;
    if (sends && (sends.count >= policy.maxSends || callLimit)) {
      return { outcome: 'send_limit', retryAfterMs: Math.max(this.left(sends), cooldownLeft) };
    }
    if (cooldown) return { outcome: 'cooldown', retryAfterMs: cooldownLeft };
    if (policy.cooldownMs > 0) {
      this.cooldowns.set(phoneNumber, { expiresAt: this.now() + policy.cooldownMs });
    }
    const counted: SendCounter = this.increment(this.sends, phoneNumber, policy.sendWindowMs);
    if (policy.maxCalls !== undefined) counted.calls = (counted.calls ?? 0) + 1;
    return this.store(phoneNumber, codeHash, policy, verification);
  }

  /** The new code and its verification; the pending one it replaces is canceled. */
  private store(
    phoneNumber: string,
    codeHash: string,
    policy: IssuePolicy,
    verification?: NewVerification,
  ): IssueResult {
    const replaced = this.live(this.codes, phoneNumber)?.verificationId;
    const canceled = this.verifications.settle(replaced, 'canceled') ? replaced : undefined;
    const expiresAt = this.now() + policy.ttlMs;
    this.codes.set(phoneNumber, {
      hash: codeHash,
      attemptsLeft: policy.maxAttempts,
      expiresAt,
      verificationId: verification?.id,
    });
    if (verification) this.verifications.open(phoneNumber, verification, expiresAt);
    return { outcome: 'issued', canceled };
  }

  async revoke(phoneNumber: string, codeHash: string, call = false): Promise<void> {
    const pending = this.live(this.codes, phoneNumber);
    if (pending?.hash !== codeHash) return;
    this.codes.delete(phoneNumber);
    this.verifications.settle(pending.verificationId, 'failed');
    this.cooldowns.delete(phoneNumber);
    const sends = this.live(this.sends, phoneNumber);
    if (sends && call && sends.calls) sends.calls -= 1;
    if (sends && sends.count > 1) sends.count -= 1;
    else this.sends.delete(phoneNumber);
  }

  async verify(phoneNumber: string, codeHash: string, policy: VerifyPolicy): Promise<VerifyResult> {
    const failures = this.live(this.failures, phoneNumber);
    if (failures && failures.count > policy.lockoutThreshold) {
      return { outcome: 'locked', retryAfterMs: this.left(failures) };
    }
    const pending = this.live(this.codes, phoneNumber);
    if (!pending) return { outcome: 'not_found' };
    const { verificationId } = pending;
    if (pending.attemptsLeft <= 0) {
      return { outcome: 'attempts_exceeded', retryAfterMs: this.left(pending), verificationId };
    }
    if (hashesEqual(pending.hash, codeHash)) {
      this.codes.delete(phoneNumber);
      this.verifications.settle(verificationId, 'approved');
      const country = verificationId && this.verifications.find(verificationId)?.country;
      return { outcome: 'approved', verificationId, country: country || undefined };
    }
    pending.attemptsLeft -= 1;
    this.verifications.wrongCode(verificationId, pending.attemptsLeft);
    this.increment(this.failures, phoneNumber, policy.lockoutWindowMs);
    return { outcome: 'incorrect', attemptsRemaining: pending.attemptsLeft, verificationId };
  }

  async findVerification(id: string): Promise<VerificationRecord | undefined> {
    return this.verifications.find(id);
  }

  async cancelVerification(id: string): Promise<CancelResult> {
    const record = this.verifications.find(id);
    if (!record) return { outcome: 'not_found' };
    if (record.status !== 'pending') return { outcome: 'not_pending', status: record.status };
    if (record.expiresAt <= this.now()) return { outcome: 'not_pending', status: 'expired' };
    if (this.live(this.codes, record.phoneNumber)?.verificationId === id) {
      this.codes.delete(record.phoneNumber);
    }
    this.verifications.settle(id, 'canceled');
    return { outcome: 'canceled' };
  }

  async admitFallbackCall(id: string, maxCalls: number): Promise<FallbackCallAdmission> {
    const record = this.verifications.find(id);
    if (record?.status !== 'pending' || record.expiresAt <= this.now()) {
      return { outcome: 'not_pending' };
    }
    if (this.live(this.codes, record.phoneNumber)?.verificationId !== id) {
      return { outcome: 'not_pending' };
    }
    const fallback = this.verifications.fallbackOf(id);
    if (!fallback?.ticket) return { outcome: 'no_ticket' };
    if (fallback.called) return { outcome: 'already_called' };
    const sends = this.live(this.sends, record.phoneNumber);
    if ((sends?.calls ?? 0) >= maxCalls) return { outcome: 'call_limit' };
    if (sends) sends.calls = (sends.calls ?? 0) + 1;
    fallback.called = true;
    return { outcome: 'admitted', phoneNumber: record.phoneNumber, ticket: fallback.ticket };
  }

  async recordAttempt(id: string, attempt: VerificationAttempt): Promise<void> {
    this.verifications.recordAttempt(id, attempt);
  }

  async recordReceipt(receipt: DeliveryReceipt): Promise<ReceiptResult | undefined> {
    return this.verifications.recordReceipt(receipt);
  }

  async failedVerifications(phoneNumber: string): Promise<number> {
    return this.live(this.failures, phoneNumber)?.count ?? 0;
  }

  async ping(): Promise<void> {}

  /** Expired entries are otherwise only dropped when read; numbers never seen again would pile up. */
  private sweepNowAndThen(): void {
    if (++this.writes % 1000 !== 0) return;
    const now = this.now();
    for (const map of [this.codes, this.cooldowns, this.sends, this.failures] as Map<
      string,
      Expiring
    >[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
    this.verifications.sweep(now);
  }

  /** The entry if it has not expired; an expired one is dropped, as Redis would have. */
  private live<T extends Expiring>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private left(entry: Expiring): number {
    return Math.max(entry.expiresAt - this.now(), 0);
  }

  /** A fixed window that starts with its first event, like INCR followed by PEXPIRE on 1. */
  private increment(map: Map<string, Counter>, key: string, windowMs: number): Counter {
    const entry = this.live(map, key);
    if (entry) {
      entry.count += 1;
      return entry;
    }
    const started = { count: 1, expiresAt: this.now() + windowMs };
    map.set(key, started);
    return started;
  }
}

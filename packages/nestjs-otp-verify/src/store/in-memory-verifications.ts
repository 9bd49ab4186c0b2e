import {
  receiptChanges,
  type DeliveryReceipt,
  type ReceiptResult,
} from '../receipts/delivery-receipt.js';
import type {
  NewVerification,
  StoredVerificationStatus,
  VerificationAttempt,
  VerificationRecord,
} from '../verification/verification.js';

/** What a fallback call needs, kept beside the record and never shown. */
interface Fallback {
  ticket?: string;
  called: boolean;
}

interface Kept {
  record: VerificationRecord;
  keptUntil: number;
  fallback: Fallback;
}

/** The verification records of the in-memory store, kept for their retention as Redis keeps them. */
export class InMemoryVerifications {
  private readonly records = new Map<string, Kept>();
  /** `provider:messageId` to the verification's id, as the Redis store's message index. */
  private readonly messages = new Map<string, string>();

  constructor(private readonly now: () => number) {}

  open(phoneNumber: string, verification: NewVerification, expiresAt: number): void {
    const now = this.now();
    const { id, channel, locale, country, test, retentionMs } = verification;
    const record: VerificationRecord = {
      id,
      phoneNumber,
      status: 'pending',
      channel,
      locale,
      country,
      createdAt: now,
      expiresAt,
      updatedAt: now,
      wrongCodes: 0,
      test,
      attempts: [],
    };
    const fallback = { ticket: verification.ticket, called: false };
    this.records.set(id, { record, keptUntil: now + retentionMs, fallback });
  }

  fallbackOf(id: string): Fallback | undefined {
    return this.find(id) && this.records.get(id)?.fallback;
  }

  find(id: string): VerificationRecord | undefined {
    const kept = this.records.get(id);
    if (kept && kept.keptUntil <= this.now()) this.records.delete(id);
    return kept && kept.keptUntil > this.now() ? kept.record : undefined;
  }

  /** Moves a pending verification to a final status; true when it was pending. */
  settle(id: string | undefined, status: StoredVerificationStatus): boolean {
    const record = id === undefined ? undefined : this.find(id);
    if (record?.status !== 'pending') return false;
    record.status = status;
    record.updatedAt = this.now();
    return true;
  }

  wrongCode(id: string | undefined, attemptsLeft: number): void {
    const record = id === undefined ? undefined : this.find(id);
    if (!record) return;
    record.wrongCodes += 1;
    record.updatedAt = this.now();
    if (attemptsLeft === 0) this.settle(id, 'max_attempts_reached');
  }

  recordAttempt(id: string, attempt: VerificationAttempt): void {
    const record = this.find(id);
    if (!record) return;
    record.attempts.push(attempt);
    record.updatedAt = attempt.updatedAt;
    if (attempt.messageId !== undefined) {
      this.messages.set(`${attempt.provider}:${attempt.messageId}`, id);
    }
  }

  recordReceipt(receipt: DeliveryReceipt): ReceiptResult | undefined {
    const id = this.messages.get(`${receipt.provider}:${receipt.messageId}`);
    const record = id === undefined ? undefined : this.find(id);
    const attempt = record?.attempts.find(
      (a) => a.messageId === receipt.messageId && a.provider === receipt.provider,
    );
    if (!id || !record || !attempt) return undefined;
    const changed = receiptChanges(attempt.status, receipt.status);
    if (changed) {
      attempt.status = receipt.status;
      attempt.updatedAt = record.updatedAt = this.now();
      if (receipt.errorCode) attempt.errorCode = receipt.errorCode;
    }
    const pending = record.status === 'pending' && record.expiresAt > this.now();
    return {
      verificationId: id,
      changed,
      status: attempt.status,
      country: record.country,
      pending,
    };
  }

  sweep(now: number): void {
    for (const [id, kept] of this.records) if (kept.keptUntil <= now) this.records.delete(id);
    for (const [message, id] of this.messages)
      if (!this.records.has(id)) this.messages.delete(message);
  }
}

/** What the store keeps of a verification; `pending` past its deadline reads `expired`. */
export type StoredVerificationStatus =
  'pending' | 'approved' | 'canceled' | 'max_attempts_reached' | 'failed';

export type VerificationStatus = StoredVerificationStatus | 'expired';

export const VERIFICATION_STATUSES: readonly VerificationStatus[] = [
  'pending',
  'approved',
  'canceled',
  'expired',
  'max_attempts_reached',
  'failed',
];

export type AttemptStatus = 'sent' | 'unconfirmed' | 'delivered' | 'undelivered' | 'failed';

/** One hand-over of the code to a provider; times in milliseconds since the epoch. */
export interface VerificationAttempt {
  channel: string;
  provider: string;
  status: AttemptStatus;
  at: number;
  updatedAt: number;
  errorCode?: string;
  /** The provider's id of the message, which its delivery receipts name; kept out of the view. */
  messageId?: string;
}

/** What a new verification starts with, written in the same step as its code. */
export interface NewVerification {
  id: string;
  channel: string;
  locale: string;
  /** ISO 3166 alpha-2, or `001` for numbers of no country. */
  country: string;
  test: boolean;
  retentionMs: number;
  /** The code sealed for a fallback call (voice/voice-ticket.ts); never shown. */
  ticket?: string;
}

/** A verification as the store holds it; times in milliseconds of the store's clock. */
export interface VerificationRecord {
  id: string;
  phoneNumber: string;
  status: StoredVerificationStatus;
  channel: string;
  locale: string;
  country: string;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
  wrongCodes: number;
  test: boolean;
  attempts: VerificationAttempt[];
}

export interface VerificationAttemptView extends Omit<
  VerificationAttempt,
  'at' | 'updatedAt' | 'messageId'
> {
  at: string;
  updatedAt: string;
}

/** A verification as `GET otp/verifications/:id` and the `verification.*` events show it. */
export interface VerificationView {
  verificationId: string;
  status: VerificationStatus;
  phoneNumber: string;
  country: string;
  channel: string;
  locale: string;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
  wrongCodes: number;
  test: boolean;
  attempts: VerificationAttemptView[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The status a reader sees at `now`: a pending code past its deadline has expired. */
export function statusAt(record: VerificationRecord, now: number): VerificationStatus {
  return record.status === 'pending' && record.expiresAt <= now ? 'expired' : record.status;
}

export function toVerificationView(
  record: VerificationRecord,
  now: number = Date.now(),
): VerificationView {
  return {
    verificationId: record.id,
    status: statusAt(record, now),
    phoneNumber: record.phoneNumber,
    country: record.country,
    channel: record.channel,
    locale: record.locale,
    createdAt: iso(record.createdAt),
    expiresAt: iso(record.expiresAt),
    updatedAt: iso(record.updatedAt),
    wrongCodes: record.wrongCodes,
    test: record.test,
    attempts: record.attempts.map(({ messageId: _, ...attempt }) => ({
      ...attempt,
      at: iso(attempt.at),
      updatedAt: iso(attempt.updatedAt),
    })),
  };
}

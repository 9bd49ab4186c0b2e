import type { AttemptStatus } from '../verification/verification.js';

/** What a receipt can say of a message: `sent` still on its way, or one of the final three. */
export type ReceiptStatus = Extract<AttemptStatus, 'sent' | 'delivered' | 'undelivered' | 'failed'>;

/** Statuses no later receipt changes: receipts arrive out of order, and again. */
export const FINAL_RECEIPT_STATUSES: readonly ReceiptStatus[] = [
  'delivered',
  'undelivered',
  'failed',
];

/** A provider's report on one message it took. */
export interface DeliveryReceipt {
  /** The provider's name as the attempt records it (`plivo`). */
  provider: string;
  /** The provider's id of the message, as its send answered. */
  messageId: string;
  status: ReceiptStatus;
  /** The provider's error code, when it gave one. */
  errorCode?: string;
}

/** What a receipt did to the attempt it names; `undefined` from the store when it names none. */
export interface ReceiptResult {
  verificationId: string;
  /** False for a replay, or for a receipt that arrived after a final one. */
  changed: boolean;
  /** The attempt's status now. */
  status: AttemptStatus;
  /** The verification's country (ISO 3166 alpha-2, `001` for none). */
  country: string;
  /** The verification's code still waits to be verified (pending, not past its deadline). */
  pending: boolean;
}

/** The step the stores share: a receipt moves an attempt forward, never back from a final status. */
export function receiptChanges(current: AttemptStatus, next: ReceiptStatus): boolean {
  return current !== next && !(FINAL_RECEIPT_STATUSES as readonly string[]).includes(current);
}

import type { ReceiptStatus } from '../receipts/delivery-receipt.js';
import type { SmsFailureKind } from './sms-provider.js';

export interface SmsDeliveryEvent {
  /** The provider's name: `plivo`, `sns`, `console`. */
  provider: string;
  /**
   * `delivered`, or why it was not: `transient` (retried, then given up), `permanent`, or
   * `unknown` (the answer was lost: the message may have been sent).
   */
  result: 'delivered' | SmsFailureKind;
  durationSeconds: number;
  /** When `delivered`: the segments the provider bills for the message, and its locale. */
  segments?: number;
  locale?: string;
}

/** A voice call through a provider, after its retries. */
export interface VoiceCallEvent {
  provider: string;
  /** `placed` (the provider took it; it rings), or why not, as for an SMS. */
  result: 'placed' | SmsFailureKind;
  durationSeconds: number;
}

/** A delivery receipt that moved a message's status (replays and late receipts are not told). */
export interface SmsDeliveryStatusEvent {
  provider: string;
  /** `sent`, or the final `delivered`, `undelivered` or `failed`. */
  status: ReceiptStatus;
  /** The number's country, ISO 3166 alpha-2 (`001` for none): a bounded label. */
  country: string;
}

/**
 * Learns of every delivery through every provider, fallbacks included, and of the receipts that
 * followed. Optional: a host app that provides none (globally) gets nothing, the standalone
 * service binds its metrics here.
 */
export interface SmsDeliveryObserver {
  smsDelivery(event: SmsDeliveryEvent): void;
  /** Optional, so an observer written before receipts existed still fits. */
  smsDeliveryStatus?(event: SmsDeliveryStatusEvent): void;
  /** Optional, as calls came later too. */
  voiceCall?(event: VoiceCallEvent): void;
}

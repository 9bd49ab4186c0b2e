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

/**
 * Learns of every delivery through every provider, fallbacks included. Optional: a host app that
 * provides none (globally) gets nothing, the standalone service binds its metrics here.
 */
export interface SmsDeliveryObserver {
  smsDelivery(event: SmsDeliveryEvent): void;
}

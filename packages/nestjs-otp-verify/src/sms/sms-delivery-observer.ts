export interface SmsDeliveryEvent {
  /** The provider's name: `plivo`, `sns`, `console`. */
  provider: string;
  /** `delivered`, or why it was not: `transient` (retried, then given up) or `permanent`. */
  result: 'delivered' | 'transient' | 'permanent';
  durationSeconds: number;
}

/**
 * Learns of every delivery through every provider, fallbacks included. Optional: a host app that
 * provides none (globally) gets nothing, the standalone service binds its metrics here.
 */
export interface SmsDeliveryObserver {
  smsDelivery(event: SmsDeliveryEvent): void;
}

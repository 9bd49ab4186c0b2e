import type { VerificationView } from '../verification/verification.js';

export type VerificationEventType =
  | 'verification.pending'
  | 'verification.delivered'
  | 'verification.undelivered'
  | 'verification.approved'
  | 'verification.canceled'
  | 'verification.expired'
  | 'verification.max_attempts_reached'
  | 'verification.failed';

export type FraudEventType =
  | 'fraud.prefix_quarantined'
  | 'fraud.country_quarantined'
  | 'fraud.country_budget_exhausted'
  | 'fraud.global_budget_warning'
  | 'fraud.global_budget_exhausted';

export type OtpEventType = VerificationEventType | FraudEventType;

/** What a `fraud.*` event names: the prefix or the country, its counts and until when. */
export interface FraudEventData {
  prefix?: string;
  /** Absent for a global budget, which covers every country. */
  country?: string;
  /** `hour` or `day` for a global budget; `country` for a country's. */
  budget?: 'country' | 'hour' | 'day';
  limit?: number;
  sends?: number;
  approvals?: number;
  conversion?: number;
  until?: string;
}

/** One event as every endpoint receives it; `id` is its `webhook-id`, the same on every retry. */
export interface OtpEvent {
  id: string;
  type: OtpEventType;
  timestamp: string;
  data: VerificationView | FraudEventData;
}

/** One endpoint's copy of an event, as it waits in the queue: the body is fixed once. */
export interface WebhookDelivery {
  eventId: string;
  type: OtpEventType;
  url: string;
  body: string;
}

export type WebhookOutcome = 'delivered' | 'failed' | 'dropped';

/**
 * Learns of every delivery attempt and of the queue's depth. Optional: the standalone service
 * binds its metrics here.
 */
export interface WebhookDeliveryObserver {
  webhookDelivery(event: { type: OtpEventType; outcome: WebhookOutcome }): void;
  webhookQueueDepth(depth: number): void;
}

/**
 * Where events wait for delivery. `deliver` must be durable before it resolves when the store
 * is Redis; `expireAt` asks for `onExpiry(verificationId)` once the code's deadline has passed.
 */
export interface OtpEventQueue {
  deliver(deliveries: WebhookDelivery[]): Promise<void>;
  expireAt(verificationId: string, atMs: number): Promise<void>;
  depth(): Promise<number>;
  close(): Promise<void>;
}

/** What the queue calls back: one delivery to make, one deadline passed. */
export interface OtpEventHandlers {
  send(delivery: WebhookDelivery): Promise<void>;
  onExpiry(verificationId: string): Promise<void>;
  /** After the last try of a delivery, which is then dropped. */
  dropped(delivery: WebhookDelivery): void;
}

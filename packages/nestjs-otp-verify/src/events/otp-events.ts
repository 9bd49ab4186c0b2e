import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { InjectOtpSettings, InjectOtpStore, InjectWebhookObserver } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import type { OtpStore } from '../store/otp-store.js';
import type {
  FraudGuardDecisionEvent,
  FraudGuardObserver,
  GlobalBudgetWarningEvent,
} from '../fraud/fraud-guard-observer.js';
import { statusAt, toVerificationView } from '../verification/verification.js';
import type {
  FraudEventData,
  FraudEventType,
  OtpEvent,
  OtpEventQueue,
  OtpEventType,
  VerificationEventType,
  WebhookDelivery,
  WebhookDeliveryObserver,
} from './otp-event.js';
import { sendWebhook } from './webhook-sender.js';

/** How often the queue's depth is read for the metrics. */
const DEPTH_INTERVAL_MS = 15_000;
const HOUR = 3_600_000;

/** The contract's event for a decision, or none: a challenge or a release is told by metrics and logs. */
function fraudEventOf({
  decision,
  prefix,
  budget,
}: FraudGuardDecisionEvent): FraudEventType | undefined {
  switch (decision) {
    case 'quarantined':
      return prefix !== undefined ? 'fraud.prefix_quarantined' : 'fraud.country_quarantined';
    case 'budget_exceeded':
      return budget === 'hour' || budget === 'day'
        ? 'fraud.global_budget_exhausted'
        : 'fraud.country_budget_exhausted';
    default:
      return undefined;
  }
}

/**
 * Turns what happens to verifications (and the fraud guard's decisions) into signed events for
 * the configured endpoints. Without `webhooks` in the options it does nothing and loads nothing.
 */
@Injectable()
export class OtpEvents implements OnModuleInit, OnApplicationShutdown, FraudGuardObserver {
  private readonly logger = new Logger('OtpWebhooks');
  private queue?: OtpEventQueue;
  private depthTimer?: NodeJS.Timeout;
  private readonly lastTold = new Map<string, number>();

  constructor(
    @InjectOtpSettings() private readonly settings: OtpSettings,
    @InjectOtpStore() private readonly store: OtpStore,
    @InjectWebhookObserver() private readonly observer?: WebhookDeliveryObserver,
  ) {}

  async onModuleInit(): Promise<void> {
    const { webhooks, redis, keyPrefix } = this.settings;
    if (!webhooks) return;
    const handlers = {
      send: (delivery: WebhookDelivery) => this.send(delivery),
      onExpiry: (id: string) => this.onExpiry(id),
      dropped: (delivery: WebhookDelivery) => this.dropped(delivery),
    };
    if (redis) {
      const { openBullmqEventQueue } = await import('./bullmq-event-queue.js');
      this.queue = await openBullmqEventQueue(redis, keyPrefix, webhooks.retryHours, handlers);
    } else {
      const { openInProcessEventQueue } = await import('./in-process-event-queue.js');
      this.queue = openInProcessEventQueue(webhooks.retryHours, handlers);
      this.logger.warn(
        'Webhooks with the in-memory store are delivered from this process: events still waiting are lost when it stops',
      );
    }
    if (this.observer) {
      this.depthTimer = setInterval(() => void this.reportDepth(), DEPTH_INTERVAL_MS);
      this.depthTimer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.depthTimer);
    await this.queue?.close();
  }

  /**
   * Publishes `type` with the verification as it now stands. Awaited by the flows: once they
   * answer, the event waits in the queue, whatever becomes of this process.
   */
  async verification(type: VerificationEventType, id: string | undefined): Promise<void> {
    if (!this.queue || !id) return;
    try {
      const record = await this.store.findVerification(id);
      if (!record) return;
      await this.publish(type, toVerificationView(record));
      if (type === 'verification.pending') await this.queue.expireAt(id, record.expiresAt);
    } catch (error) {
      this.logger.warn(`Event ${type} not queued: ${(error as Error).message}`);
    }
  }

  /**
   * The fraud guard's decisions that the contract names as events. A spent country budget
   * refuses every request until it refills: it is told once an hour per instance, not per refusal.
   */
  fraudGuardDecision(event: FraudGuardDecisionEvent): void {
    const type = fraudEventOf(event);
    if (!this.queue || !type) return;
    const { prefix, country, budget, sends, approvals, conversion, quarantinedUntil } = event;
    const subject = `${type} ${prefix ?? budget ?? country}`;
    if (type === 'fraud.country_budget_exhausted' || type === 'fraud.global_budget_exhausted') {
      if ((this.lastTold.get(subject) ?? 0) > Date.now() - HOUR) return;
      this.lastTold.set(subject, Date.now());
    }
    this.publishFraud(type, {
      ...(prefix !== undefined && { prefix }),
      ...(budget === 'hour' || budget === 'day' ? { budget } : { country }),
      ...(budget === 'country' && { budget }),
      ...(sends !== undefined && { sends, approvals, conversion }),
      ...(quarantinedUntil !== undefined && { until: new Date(quarantinedUntil).toISOString() }),
    });
  }

  /** A global budget past 80 %: the guard tells it once per window across instances. */
  globalBudgetWarning({ window, limit, sends }: GlobalBudgetWarningEvent): void {
    if (!this.queue) return;
    this.publishFraud('fraud.global_budget_warning', { budget: window, limit, sends });
  }

  private publishFraud(type: FraudEventType, data: FraudEventData): void {
    void this.publish(type, data).catch((error: Error) =>
      this.logger.warn(`Event ${type} not queued: ${error.message}`),
    );
  }

  /** The depth of the queue, for the metrics; 0 without webhooks. */
  async depth(): Promise<number> {
    return this.queue ? this.queue.depth() : 0;
  }

  private async publish(type: OtpEventType, data: OtpEvent['data']): Promise<void> {
    const event: OtpEvent = {
      id: `msg_${randomBytes(16).toString('hex')}`,
      type,
      timestamp: new Date().toISOString(),
      data,
    };
    const body = JSON.stringify({ type, timestamp: event.timestamp, data });
    const urls = this.settings.webhooks?.urls ?? [];
    await this.queue?.deliver(urls.map((url) => ({ eventId: event.id, type, url, body })));
  }

  private async send(delivery: WebhookDelivery): Promise<void> {
    try {
      await sendWebhook(this.settings.webhooks!.key, delivery);
    } catch (error) {
      this.observer?.webhookDelivery({ type: delivery.type, outcome: 'failed' });
      throw error;
    }
    this.observer?.webhookDelivery({ type: delivery.type, outcome: 'delivered' });
  }

  /** The code's deadline passed: a verification still pending there has expired. */
  private async onExpiry(id: string): Promise<void> {
    const record = await this.store.findVerification(id);
    if (!record || statusAt(record, Date.now()) !== 'expired') return;
    await this.publish('verification.expired', toVerificationView(record));
  }

  private dropped(delivery: WebhookDelivery): void {
    this.observer?.webhookDelivery({ type: delivery.type, outcome: 'dropped' });
    this.logger.warn(
      `Event ${delivery.type} ${delivery.eventId} dropped after ${this.settings.webhooks?.retryHours} h of failed deliveries`,
    );
  }

  private async reportDepth(): Promise<void> {
    this.observer?.webhookQueueDepth(await this.depth().catch(() => 0));
  }
}

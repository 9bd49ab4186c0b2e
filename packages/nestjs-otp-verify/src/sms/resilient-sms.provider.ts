import { Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { maskPhoneNumber } from '../phone/phone-number.js';
import type { SmsDeliveryObserver } from './sms-delivery-observer.js';
import type {
  SmsErrorClassifier,
  SmsFailure,
  SmsFailureKind,
  SmsMessage,
  SmsProvider,
} from './sms-provider.js';

export interface SmsRetryPolicy {
  /** Retries of a transient failure after the first attempt. */
  maxRetries: number;
  /** Deadline of the whole sequence, retries and waits included. */
  timeoutMs: number;
  /** First backoff ceiling; it doubles with each retry. */
  baseDelayMs: number;
}

/** What a provider's sequence of attempts ended with; carries nothing of the provider's message. */
export class SmsDeliveryError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: SmsFailureKind,
    readonly reason: string,
  ) {
    super(`SMS via ${provider} failed (${kind}: ${reason})`);
    this.name = 'SmsDeliveryError';
  }
}

const DEADLINE: SmsFailure = { kind: 'transient', reason: 'deadline exceeded' };

/** Rejects when `signal` aborts, so a provider that cannot be cancelled still cannot hold a request. */
const abortion = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

/**
 * Retries transient failures of one provider with exponential backoff and full jitter, within one
 * deadline, and reports the outcome to the observer once per sequence.
 */
export class ResilientSmsProvider implements SmsProvider {
  private readonly logger = new Logger('SmsDelivery');

  constructor(
    private readonly provider: SmsProvider,
    private readonly classify: SmsErrorClassifier,
    private readonly policy: SmsRetryPolicy,
    private readonly observer?: SmsDeliveryObserver,
  ) {}

  get name(): string {
    return this.provider.name;
  }

  async send(message: SmsMessage): Promise<void> {
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.policy.timeoutMs);
    const report = (result: 'delivered' | SmsFailureKind): void =>
      this.observer?.smsDelivery({
        provider: this.name,
        result,
        durationSeconds: (performance.now() - started) / 1000,
      });
    try {
      for (let attempt = 1; ; attempt++) {
        const failure = await this.attempt(message, deadline.signal);
        if (!failure) {
          report('delivered');
          this.logger.log(`SMS to ${maskPhoneNumber(message.to)} delivered by ${this.name}`);
          return;
        }
        const delayMs = randomInt(this.policy.baseDelayMs * 2 ** (attempt - 1) + 1);
        const remainingMs = this.policy.timeoutMs - (performance.now() - started);
        if (
          failure.kind === 'permanent' ||
          attempt > this.policy.maxRetries ||
          delayMs >= remainingMs
        ) {
          report(failure.kind);
          this.logger.warn(
            `SMS to ${maskPhoneNumber(message.to)} via ${this.name} failed after ${attempt} attempt(s): ${failure.kind}, ${failure.reason}`,
          );
          throw new SmsDeliveryError(this.name, failure.kind, failure.reason);
        }
        await sleep(delayMs);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(message: SmsMessage, signal: AbortSignal): Promise<SmsFailure | undefined> {
    if (signal.aborted) return DEADLINE;
    try {
      await Promise.race([this.provider.send(message, signal), abortion(signal)]);
      return undefined;
    } catch (error) {
      return signal.aborted ? DEADLINE : this.classify(error);
    }
  }
}

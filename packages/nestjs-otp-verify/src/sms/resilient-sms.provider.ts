import { Logger } from '@nestjs/common';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { smsLength } from './otp-message.js';
import { callWithRetries, type SmsRetryPolicy } from './provider-retries.js';
import type { SmsDeliveryObserver } from './sms-delivery-observer.js';
import type {
  SmsErrorClassifier,
  SmsFailureKind,
  SmsMessage,
  SmsProvider,
  SmsSent,
} from './sms-provider.js';

/** A provider with the function that reads its errors. */
export interface ClassifiedSmsProvider {
  provider: SmsProvider;
  classify: SmsErrorClassifier;
}

/** What a delivery ended with; carries nothing of the provider's message. */
export class SmsDeliveryError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: SmsFailureKind,
    readonly reason: string,
  ) {
    super(`SMS via ${provider} failed (${kind}: ${reason})`);
    this.name = 'SmsDeliveryError';
  }

  /** The last call's answer was lost: the message may arrive all the same. */
  get mayHaveBeenSent(): boolean {
    return this.kind === 'unknown';
  }
}

/**
 * Delivers through the configured provider, then the fallback, with exponential backoff and full
 * jitter between retries of one provider, within one deadline per provider, and reports each
 * provider's outcome to the observer once.
 *
 * A call whose outcome is unknown ends the delivery: retrying it, or asking another provider,
 * could send a second message (and bill it), so a user or an attacker could multiply sends
 * through provider errors. Definite failures move on, but never past `maxAttempts` calls.
 */
export class ResilientSmsProvider implements SmsProvider {
  private readonly logger = new Logger('SmsDelivery');
  readonly name: string;

  constructor(
    private readonly providers: ClassifiedSmsProvider[],
    private readonly policy: SmsRetryPolicy,
    private readonly observer?: SmsDeliveryObserver,
  ) {
    this.name = providers.map(({ provider }) => provider.name).join('>');
  }

  /** Resolves with the provider that took the message, and its id of it when it gave one. */
  async send(message: SmsMessage): Promise<SmsSent> {
    let calls = 0;
    let failure: SmsDeliveryError | undefined;
    for (const [index, classified] of this.providers.entries()) {
      if (calls >= this.policy.maxAttempts) break;
      if (index > 0) {
        this.logger.warn(
          `SMS to ${maskPhoneNumber(message.to)}: ${this.providers[index - 1].provider.name} failed, falling back to ${classified.provider.name}`,
        );
      }
      const outcome = await this.sendThrough(classified, message, this.policy.maxAttempts - calls);
      calls += outcome.calls;
      if (!outcome.failure) {
        return { provider: classified.provider.name, messageId: outcome.messageId };
      }
      failure = outcome.failure;
      if (failure.mayHaveBeenSent) break;
    }
    throw failure;
  }

  /** One provider's sequence of at most `budget` calls, reported and logged once. */
  private async sendThrough(
    { provider, classify }: ClassifiedSmsProvider,
    message: SmsMessage,
    budget: number,
  ): Promise<{ calls: number; failure?: SmsDeliveryError; messageId?: string }> {
    const { calls, durationSeconds, value, failure } = await callWithRetries(
      (signal) => provider.send(message, signal),
      classify,
      this.policy,
      budget,
    );
    this.observer?.smsDelivery({
      provider: provider.name,
      result: failure?.kind ?? 'delivered',
      durationSeconds,
      ...(!failure && { segments: smsLength(message.text).segments, locale: message.locale }),
    });
    const to = maskPhoneNumber(message.to);
    if (!failure) {
      this.logger.log(`SMS to ${to} delivered by ${provider.name}`);
      return { calls, messageId: value?.messageId };
    }
    this.logger.warn(
      `SMS to ${to} via ${provider.name} failed after ${calls} attempt(s): ${failure.kind}, ${failure.reason}`,
    );
    return { calls, failure: new SmsDeliveryError(provider.name, failure.kind, failure.reason) };
  }
}

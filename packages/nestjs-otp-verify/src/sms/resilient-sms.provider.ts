import { Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { smsLength } from './otp-message.js';
import type { SmsDeliveryObserver } from './sms-delivery-observer.js';
import type {
  SmsErrorClassifier,
  SmsFailure,
  SmsFailureKind,
  SmsMessage,
  SmsProvider,
  SmsSent,
} from './sms-provider.js';

export interface SmsRetryPolicy {
  /** Retries of a transient failure after the first attempt, per provider. */
  maxRetries: number;
  /** Provider calls per message at most, over every provider, retries and fallback included. */
  maxAttempts: number;
  /** Deadline of one provider's sequence, retries and waits included. */
  timeoutMs: number;
  /** First backoff ceiling; it doubles with each retry. */
  baseDelayMs: number;
}

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

/** Our deadline cut a call that had started: it may have reached the provider. */
const DEADLINE: SmsFailure = { kind: 'unknown', reason: 'deadline exceeded' };
/** The deadline passed before the call was made: nothing went out. */
const DEADLINE_BEFORE_CALL: SmsFailure = { kind: 'transient', reason: 'deadline exceeded' };

/** Rejects when `signal` aborts, so a provider that cannot be cancelled still cannot hold a request. */
const abortion = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

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

  /** One provider's sequence of at most `budget` calls. */
  private async sendThrough(
    { provider, classify }: ClassifiedSmsProvider,
    message: SmsMessage,
    budget: number,
  ): Promise<{ calls: number; failure?: SmsDeliveryError; messageId?: string }> {
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.policy.timeoutMs);
    const report = (result: 'delivered' | SmsFailureKind): void =>
      this.observer?.smsDelivery({
        provider: provider.name,
        result,
        durationSeconds: (performance.now() - started) / 1000,
        ...(result === 'delivered' && {
          segments: smsLength(message.text).segments,
          locale: message.locale,
        }),
      });
    try {
      for (let attempt = 1; ; attempt++) {
        const { failure, sent } = await this.attempt(provider, classify, message, deadline.signal);
        if (!failure) {
          report('delivered');
          this.logger.log(`SMS to ${maskPhoneNumber(message.to)} delivered by ${provider.name}`);
          return { calls: attempt, messageId: sent?.messageId };
        }
        const delayMs = randomInt(this.policy.baseDelayMs * 2 ** (attempt - 1) + 1);
        const remainingMs = this.policy.timeoutMs - (performance.now() - started);
        if (
          failure.kind !== 'transient' ||
          attempt > this.policy.maxRetries ||
          attempt >= budget ||
          delayMs >= remainingMs
        ) {
          report(failure.kind);
          this.logger.warn(
            `SMS to ${maskPhoneNumber(message.to)} via ${provider.name} failed after ${attempt} attempt(s): ${failure.kind}, ${failure.reason}`,
          );
          return {
            calls: attempt,
            failure: new SmsDeliveryError(provider.name, failure.kind, failure.reason),
          };
        }
        await sleep(delayMs);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(
    provider: SmsProvider,
    classify: SmsErrorClassifier,
    message: SmsMessage,
    signal: AbortSignal,
  ): Promise<{ failure?: SmsFailure; sent?: SmsSent | void }> {
    if (signal.aborted) return { failure: DEADLINE_BEFORE_CALL };
    try {
      return { sent: await Promise.race([provider.send(message, signal), abortion(signal)]) };
    } catch (error) {
      return { failure: signal.aborted ? DEADLINE : classify(error) };
    }
  }
}

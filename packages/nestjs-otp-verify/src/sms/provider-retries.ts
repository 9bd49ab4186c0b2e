import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OtpSettings } from '../otp-options.js';
import type { SmsErrorClassifier, SmsFailure } from './sms-provider.js';

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

/** The policy of every send, an SMS's or a call's, from the settings. */
export const smsRetryPolicy = ({ sms }: OtpSettings): SmsRetryPolicy => ({
  maxRetries: sms.maxRetries,
  maxAttempts: sms.maxAttempts,
  timeoutMs: sms.timeoutMs,
  baseDelayMs: 200,
});

/** How one provider's sequence ended: `failure` is unset when its last call succeeded. */
export interface ProviderCalls<T> {
  calls: number;
  durationSeconds: number;
  value?: T;
  failure?: SmsFailure;
}

/** Our deadline cut a call that had started: it may have reached the provider. */
const DEADLINE: SmsFailure = { kind: 'unknown', reason: 'deadline exceeded' };
/** The deadline passed before the call was made: nothing went out. */
const DEADLINE_BEFORE_CALL: SmsFailure = { kind: 'transient', reason: 'deadline exceeded' };

/** Rejects when `signal` aborts, so a provider that cannot be cancelled still cannot hold a request. */
const abortion = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

/**
 * One provider's sequence of at most `budget` calls, an SMS's or a voice call's, within one
 * deadline: a transient failure (nothing went out) is retried after an exponential backoff with
 * full jitter; any other ends it, since a call whose outcome is unknown may have reached the
 * provider and a retry could send (and bill) a second message.
 */
export async function callWithRetries<T>(
  call: (signal: AbortSignal) => Promise<T>,
  classify: SmsErrorClassifier,
  policy: SmsRetryPolicy,
  budget: number,
): Promise<ProviderCalls<T>> {
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), policy.timeoutMs);
  const ended = (calls: number, end: { value?: T; failure?: SmsFailure }): ProviderCalls<T> => ({
    calls,
    durationSeconds: (performance.now() - started) / 1000,
    ...end,
  });
  try {
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(call, classify, deadline.signal);
      if (!outcome.failure) return ended(attempt, outcome);
      const delayMs = randomInt(policy.baseDelayMs * 2 ** (attempt - 1) + 1);
      const remainingMs = policy.timeoutMs - (performance.now() - started);
      if (
        outcome.failure.kind !== 'transient' ||
        attempt > policy.maxRetries ||
        attempt >= budget ||
        delayMs >= remainingMs
      ) {
        return ended(attempt, outcome);
      }
      await sleep(delayMs);
    }
  } finally {
    clearTimeout(timer);
  }
}

async function attemptOnce<T>(
  call: (signal: AbortSignal) => Promise<T>,
  classify: SmsErrorClassifier,
  signal: AbortSignal,
): Promise<{ value?: T; failure?: SmsFailure }> {
  if (signal.aborted) return { failure: DEADLINE_BEFORE_CALL };
  try {
    return { value: await Promise.race([call(signal), abortion(signal)]) };
  } catch (error) {
    return { failure: signal.aborted ? DEADLINE : classify(error) };
  }
}

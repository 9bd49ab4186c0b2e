import type { SmsFailure, SmsFailureKind } from './sms-provider.js';

/** Network errors raised before a request could be written: the provider never saw it. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** An HTTP answer: a 5xx may follow a message the provider took; 429 asks to come back; 4xx refuses. */
export function kindOfStatus(status: number): SmsFailureKind {
  if (status >= 500) return 'unknown';
  return status === 429 ? 'transient' : 'permanent';
}

/**
 * A call that got no answer, by its network error code: definite only when no connection was
 * made; after that (a timeout, a reset) the request may have gone out.
 */
export function failureWithoutAnswer(code: string | undefined, reason = 'no answer'): SmsFailure {
  return code !== undefined && NOT_CONNECTED.has(code)
    ? { kind: 'transient', reason: code }
    : { kind: 'unknown', reason };
}

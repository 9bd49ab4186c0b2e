import type { PlivoOptions } from '../otp-options.js';
import { SmsDeliveryError } from '../sms/resilient-sms.provider.js';
import { failureWithoutAnswer, kindOfStatus } from '../sms/sms-failure.js';
import type { SmsFailure } from '../sms/sms-provider.js';

const PLIVO_API = 'https://api.plivo.com';

/** A call to place: who, and the URL Plivo fetches (by GET) for what to say once answered. */
export interface PlivoCall {
  /** E.164. */
  to: string;
  answerUrl: string;
}

/** Plivo wants numbers as the country code and the number, without `+`. */
const plivoNumber = (number: string): string => number.replace(/^\+/, '');

/** Timeouts, resets and every answer lost after the request went out: the call may be placed. */
function failureOf(error: unknown): SmsFailure {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { kind: 'unknown', reason: 'deadline exceeded' };
  }
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return failureWithoutAnswer(typeof code === 'string' ? code : undefined);
}

/**
 * Plivo's Call API, with the Basic auth and JSON body its SDK sends. The `plivo` SDK (4.79)
 * sends calls to Plivo's public host whatever URL its client was given, so a proxy's or a test
 * server's `baseUrl` would be ignored; this request honours it. One attempt, within the caller's
 * deadline: its failures are classified as an SMS send's are (`SmsDeliveryError`, definite or unknown).
 */
export class PlivoCallClient {
  private readonly endpoint: string;
  private readonly authorization: string;

  constructor(private readonly options: PlivoOptions) {
    const base = (options.baseUrl ?? PLIVO_API).replace(/\/+$/, '');
    this.endpoint = `${base}/v1/Account/${encodeURIComponent(options.authId)}/Call/`;
    const credentials = Buffer.from(`${options.authId}:${options.authToken}`, 'utf8');
    this.authorization = `Basic ${credentials.toString('base64')}`;
  }

  /** One attempt; `signal` is the deadline of the call and its retries. */
  async place(call: PlivoCall, signal: AbortSignal): Promise<void> {
    let status: number;
    try {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: plivoNumber(this.options.sender),
          to: plivoNumber(call.to),
          answer_url: call.answerUrl,
          answer_method: 'GET',
        }),
        // A redirect is no acceptance: it is answered as the refusal it is, never followed.
        redirect: 'manual',
        signal,
      });
      status = response.status;
      // Read to the end, so the connection goes back to the pool; the body itself is not needed.
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      const failure = failureOf(error);
      throw new SmsDeliveryError('plivo', failure.kind, failure.reason);
    }
    if (status >= 300) throw new SmsDeliveryError('plivo', kindOfStatus(status), `HTTP ${status}`);
  }
}

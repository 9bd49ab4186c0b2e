import plivo from 'plivo';
import type { PlivoOptions } from '../otp-options.js';
import { failureWithoutAnswer, kindOfStatus } from './sms-failure.js';
import type { SmsFailure, SmsMessage, SmsProvider, SmsSent } from './sms-provider.js';

const PLIVO_API = 'https://api.plivo.com';

/** Plivo's Message API through the official SDK; one client, and its keep-alive sockets, per process. */
export class PlivoSmsProvider implements SmsProvider {
  readonly name = 'plivo';
  private readonly client: plivo.Client;

  /** Plivo's status callback, when the service can be reached: each message asks for receipts. */
  private readonly receipts?: { url: string; method: 'POST' };

  constructor(
    private readonly options: PlivoOptions,
    timeoutMs: number,
    statusCallbackUrl?: string,
  ) {
    if (statusCallbackUrl) this.receipts = { url: statusCallbackUrl, method: 'POST' };
    const base = (options.baseUrl ?? PLIVO_API).replace(/\/+$/, '');
    // The SDK cannot be cancelled; its own timeout at our deadline frees the socket of a hung call.
    this.client = new plivo.Client(options.authId, options.authToken, {
      url: `${base}/v1/Account/${options.authId}`,
      timeout: timeoutMs,
    });
  }

  /** The message's uuid is what Plivo's receipts name it by. */
  async send(message: SmsMessage): Promise<SmsSent> {
    const { sender } = this.options;
    const answer = await this.client.messages.create(sender, message.to, message.text, {
      ...this.receipts,
    });
    return { messageId: answer.messageUuid?.[0] };
  }
}

/**
 * The SDK rejects with the error's stack as a string when no answer came, with an error carrying
 * `status` for the statuses it knows, and with a plain Error naming the status for the others
 * (429, 502, 503...). No answer is definite only when the connection was never made; a 5xx may
 * come after Plivo queued the message.
 */
export function classifyPlivoError(error: unknown): SmsFailure {
  if (typeof error === 'string') return failureWithoutAnswer(/\bE[A-Z_]{3,}\b/.exec(error)?.[0]);
  const known = (error as { status?: unknown } | null)?.status;
  const named = /status code (\d{3})/.exec(error instanceof Error ? error.message : '')?.[1];
  const status = typeof known === 'number' ? known : Number(named);
  if (!status) return { kind: 'permanent', reason: 'refused by the SDK' };
  return { kind: kindOfStatus(status), reason: `HTTP ${status}` };
}

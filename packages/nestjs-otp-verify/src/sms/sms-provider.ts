export interface SmsMessage {
  /** E.164. */
  to: string;
  text: string;
  /** The text's language, as the verification records it (`fr`, `pt-BR`). */
  locale?: string;
}

/**
 * What a provider learnt when it took a message: the id under which its delivery receipts will
 * name it. A provider without receipts returns nothing.
 */
export interface SmsSent {
  /** The provider that took the message (with a fallback, not always the first). */
  provider?: string;
  /** The provider's own id of the message (Plivo's `messageUuid`). */
  messageId?: string;
}

/**
 * One way of delivering a text. Rejects when the message was not accepted for delivery; a host
 * app's own provider rejects with `SmsDeliveryError` of kind `unknown` when it may have been.
 */
export interface SmsProvider {
  readonly name: string;
  /** `signal` aborts at the delivery deadline; a provider that can cancel its call should. */
  send(message: SmsMessage, signal?: AbortSignal): Promise<SmsSent | void>;
}

/**
 * What a failed call says about the message. `transient` and `permanent` are definite: the
 * provider did not take it (connection refused, an answer meaning "not accepted"), and trying
 * again (`transient`) or elsewhere may deliver it. `unknown`: the request went out and its answer
 * was lost or was a server error (a timeout, a reset, a 5xx), so the message may still arrive.
 */
export type SmsFailureKind = 'transient' | 'permanent' | 'unknown';

export interface SmsFailure {
  kind: SmsFailureKind;
  /** Safe to log: an HTTP status or an error name, never the provider's message (it may echo the text). */
  reason: string;
}

/** Each provider reports errors its own way, so each exports its own classifier. */
export type SmsErrorClassifier = (error: unknown) => SmsFailure;

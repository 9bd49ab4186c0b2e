export interface SmsMessage {
  /** E.164. */
  to: string;
  text: string;
}

/** One way of delivering a text. Rejects when the message was not accepted for delivery. */
export interface SmsProvider {
  readonly name: string;
  /** `signal` aborts at the delivery deadline; a provider that can cancel its call should. */
  send(message: SmsMessage, signal?: AbortSignal): Promise<void>;
}

/** Whether trying the same provider again could succeed. */
export type SmsFailureKind = 'transient' | 'permanent';

export interface SmsFailure {
  kind: SmsFailureKind;
  /** Safe to log: an HTTP status or an error name, never the provider's message (it may echo the text). */
  reason: string;
}

/** Each provider reports errors its own way, so each exports its own classifier. */
export type SmsErrorClassifier = (error: unknown) => SmsFailure;

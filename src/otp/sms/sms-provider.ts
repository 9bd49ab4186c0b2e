import { Inject } from '@nestjs/common';

export interface SmsMessage {
  /** E.164. */
  to: string;
  text: string;
}

/** One way of delivering a text. Rejects when the message was not accepted for delivery. */
export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage): Promise<void>;
}

export const SMS_PROVIDER = Symbol('SMS_PROVIDER');
export const InjectSmsProvider = (): ParameterDecorator => Inject(SMS_PROVIDER);

import { Logger } from '@nestjs/common';
import { maskPhoneNumber } from '../phone/phone-number.js';
import type { SmsMessage, SmsProvider } from './sms-provider.js';

/**
 * Development only: writes the text, code included, to the log instead of sending it. The
 * production guard refuses to start with it.
 */
export class ConsoleSmsProvider implements SmsProvider {
  readonly name = 'console';
  private readonly logger = new Logger('ConsoleSms');

  async send(message: SmsMessage): Promise<void> {
    this.logger.log(`SMS to ${maskPhoneNumber(message.to)}: ${message.text}`);
  }
}

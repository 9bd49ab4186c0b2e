import { Logger } from '@nestjs/common';
import { maskPhoneNumber } from '../phone/phone-number.js';
import type { SmsMessage, SmsProvider } from './sms-provider.js';

/**
 * Tries the next provider once the previous one has failed for good, permanently included: bad
 * credentials or a blocked route at one provider say nothing about the other.
 */
export class FallbackSmsProvider implements SmsProvider {
  private readonly logger = new Logger('SmsDelivery');
  readonly name: string;

  constructor(private readonly providers: SmsProvider[]) {
    this.name = providers.map((provider) => provider.name).join('>');
  }

  async send(message: SmsMessage): Promise<void> {
    for (const [index, provider] of this.providers.entries()) {
      if (index > 0) {
        this.logger.warn(
          `SMS to ${maskPhoneNumber(message.to)}: ${this.providers[index - 1].name} failed, falling back to ${provider.name}`,
        );
      }
      try {
        return await provider.send(message);
      } catch (error) {
        if (index === this.providers.length - 1) throw error;
      }
    }
  }
}

import type { SmsMessage, SmsProvider } from '../../packages/nestjs-otp-verify/src/sms/sms-provider.js';

/**
 * Stands in for the SMS network in tests that are about codes, not delivery: it keeps every
 * message so the test can read the code a user would have received.
 */
export class SmsOutbox implements SmsProvider {
  readonly name = 'outbox';
  readonly messages: SmsMessage[] = [];

  async send(message: SmsMessage): Promise<void> {
    this.messages.push(message);
  }

  lastCodeFor(phoneNumber: string): string {
    const message = this.messages.findLast((m) => m.to === phoneNumber);
    const code = message?.text.match(/\b(\d{4,10})\b/)?.[1];
    if (!code) throw new Error(`no code was sent to ${phoneNumber}`);
    return code;
  }

  sentTo(phoneNumber: string): number {
    return this.messages.filter((m) => m.to === phoneNumber).length;
  }
}

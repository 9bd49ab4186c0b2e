import type { SmsMessage, SmsProvider } from 'nestjs-otp-verify';

/**
 * Stands in for the SMS network in tests that are about codes, not delivery: it keeps every
 * message so the test can read the code a user would have received.
 */
export class SmsOutbox implements SmsProvider {
  readonly name = 'outbox';
  readonly messages: SmsMessage[] = [];
  private refusals = 0;
  /** How long the network takes to accept a message, for tests of calls in flight. */
  latencyMs = 0;

  async send(message: SmsMessage): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.refusals > 0) {
      this.refusals -= 1;
      throw new Error('refused by the network');
    }
    this.messages.push(message);
  }

  /** The next `count` messages are refused for certain, as a provider's 4xx would. */
  refuseNext(count = 1): void {
    this.refusals += count;
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

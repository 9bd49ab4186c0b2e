import { Injectable, Logger } from '@nestjs/common';
import { InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import { smsLength, withAppLines } from '../sms/otp-message.js';
import { COUNTRY_LOCALES } from './country-locales.js';
import { localeCandidates, localeIndex } from './locale-tags.js';
import { compileTemplate, renderTemplate } from './message-template.js';
import { SMS_TEXTS } from './sms-texts.js';
import { FALLBACK_VOICE_LOCALE, VOICE_TEXTS } from './voice-texts.js';

/** What a call speaks, and the `<Speak language>` it is spoken in. */
export interface VoiceMessage {
  text: string;
  /** Plivo's `<Speak language="...">` value, e.g. `fr-FR`. */
  language: string;
}

/** Stands for the code while a text is rendered at start-up; no text holds it. */
const CODE_SLOT = '\u0000';

/** A call separates the digits so that the voice reads each one, never the number they make. */
const spokenDigits = (code: string): string => [...code].join(', ');

/**
 * The texts of each channel in each language, and the choice of language for a request: the one
 * place that knows which locales exist.
 *
 * Everything but the code is known at start-up (app name, minutes, app lines), so each text is
 * compiled and rendered once, around a slot for the code: a request only joins strings.
 */
@Injectable()
export class OtpMessages {
  private readonly logger = new Logger('OtpMessages');
  /** Each SMS text, app lines included, split where the code goes. */
  private readonly smsParts = new Map<string, string[]>();
  private readonly voiceParts = new Map<string, { parts: string[]; language: string }>();
  /** Lower-case tags and aliases to the locales that have an SMS text. */
  private readonly locales: Map<string, string>;

  constructor(@InjectOtpSettings() private readonly settings: OtpSettings) {
    const values = {
      appName: settings.appName,
      code: CODE_SLOT,
      minutes: Math.ceil(settings.ttlSeconds / 60),
    };
    const render = (locale: string, text: string) =>
      renderTemplate(compileTemplate(`The ${locale} text`, locale, text), values);
    for (const [locale, text] of Object.entries({ ...SMS_TEXTS, ...settings.messageTemplates })) {
      const sms = withAppLines(settings, render(locale, text), CODE_SLOT);
      this.smsParts.set(locale, sms.split(CODE_SLOT));
    }
    for (const [locale, { text, language }] of Object.entries(VOICE_TEXTS)) {
      this.voiceParts.set(locale, { parts: render(locale, text).split(CODE_SLOT), language });
    }
    this.locales = localeIndex(this.smsParts.keys());
    this.warnOfLongMessages();
  }

  /**
   * The locale whose texts a request gets: its own tag from the specific to the general, then
   * the main language of the number's country (`region`, ISO 3166 alpha-2), then the default.
   * Never fails: an unknown or malformed tag falls through.
   */
  resolveLocale(requested: string | undefined, region: string | undefined): string {
    if (requested) {
      for (const candidate of localeCandidates(requested)) {
        const locale = this.locales.get(candidate);
        if (locale) return locale;
      }
    }
    const national = region && COUNTRY_LOCALES.get(region);
    if (national && this.smsParts.has(national)) return national;
    return this.settings.defaultLocale;
  }

  /** The whole SMS, WebOTP line last. A locale no longer configured gets the default's text. */
  sms(locale: string, code: string): string {
    const parts = this.smsParts.get(locale) ?? this.smsParts.get(this.settings.defaultLocale);
    return (parts as string[]).join(code);
  }

  /** What a call reads out: the digits one by one, in English where Plivo has no voice. */
  voice(locale: string, code: string): VoiceMessage {
    const voice = this.voiceParts.get(locale) ?? this.voiceParts.get(FALLBACK_VOICE_LOCALE);
    const { parts, language } = voice as { parts: string[]; language: string };
    return { text: parts.join(spokenDigits(code)), language };
  }

  /**
   * A text that needs two segments costs twice per code, and some carriers reassemble it badly.
   * One line for every such locale: app lines push many UCS-2 texts over 70 characters at once.
   */
  private warnOfLongMessages(): void {
    const code = '0'.repeat(this.settings.codeLength);
    const long = [...this.smsParts.keys()].flatMap((locale) => {
      const { encoding, length, segments } = smsLength(this.sms(locale, code));
      return segments > 1 ? [`${locale} (${length} ${encoding} characters: ${segments})`] : [];
    });
    if (long.length > 0) {
      this.logger.warn(
        `The OTP message needs more than one SMS segment (160 GSM-7 or 70 UCS-2 characters) in ${long.join(', ')}: each code will be sent, and billed, as that many segments`,
      );
    }
  }
}

import type { OtpModuleOptions, OtpSettings } from '../otp-options.js';
import { compileTemplate } from './message-template.js';
import { SMS_TEXTS } from './sms-texts.js';

export const DEFAULT_LOCALE = 'en';

// Host apps skip the service's environment, so each message names the variable and the option.
const TEMPLATE_OPTION = 'OTP_MESSAGE_TEMPLATE (OtpModule option messageTemplate)';
const TEMPLATES_OPTION = 'OTP_MESSAGE_TEMPLATES (OtpModule option messageTemplates)';
const DEFAULT_LOCALE_OPTION = 'OTP_DEFAULT_LOCALE (OtpModule option defaultLocale)';

/** `pt_br` as `pt-BR`; undefined for what is not a BCP 47 tag. */
function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.replaceAll('_', '-'))[0];
  } catch {
    return undefined;
  }
}

/**
 * Checks the operator's texts once, at start-up: each one parses as ICU and has `{code}`; the
 * default locale has a text. Every message names the option and the locale.
 */
export function resolveMessageSettings(
  options: Pick<OtpModuleOptions, 'messageTemplate' | 'messageTemplates' | 'defaultLocale'>,
): Pick<OtpSettings, 'defaultLocale' | 'messageTemplates'> {
  const defaultLocale = canonicalLocale(options.defaultLocale ?? DEFAULT_LOCALE);
  if (!defaultLocale) throw new Error(`${DEFAULT_LOCALE_OPTION} must be a BCP 47 tag`);
  const messageTemplates: Record<string, string> = {};
  for (const [tag, text] of Object.entries(options.messageTemplates ?? {})) {
    const locale = canonicalLocale(tag);
    if (!locale) {
      throw new Error(`${TEMPLATES_OPTION}: ${tag} is not a BCP 47 locale tag`);
    }
    if (typeof text !== 'string') {
      throw new Error(`${TEMPLATES_OPTION}: the ${locale} text must be a string`);
    }
    compileTemplate(`${TEMPLATES_OPTION}: the ${locale} text`, locale, text);
    messageTemplates[locale] = text;
  }
  if (options.messageTemplate !== undefined) {
    compileTemplate(TEMPLATE_OPTION, defaultLocale, options.messageTemplate);
    messageTemplates[defaultLocale] = options.messageTemplate;
  }
  if (!(defaultLocale in SMS_TEXTS) && !(defaultLocale in messageTemplates)) {
    throw new Error(
      `${DEFAULT_LOCALE_OPTION}: ${defaultLocale} has no built-in text; give it one in messageTemplates or choose one of ${Object.keys(SMS_TEXTS).join(', ')}`,
    );
  }
  return { defaultLocale, messageTemplates };
}

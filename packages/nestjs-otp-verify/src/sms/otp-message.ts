import type { OtpSettings } from '../otp-options.js';

export type OtpMessageSettings = Pick<
  OtpSettings,
  'messageTemplate' | 'appName' | 'ttlSeconds' | 'webOtpDomain' | 'androidAppHash'
>;

/**
 * The template, then the Android app hash, then the WebOTP line: browsers only read an
 * origin-bound code on the very last line, the SMS Retriever finds its hash anywhere.
 */
export function renderOtpMessage(settings: OtpMessageSettings, code: string): string {
  const lines = [
    settings.messageTemplate
      .replaceAll('{appName}', settings.appName)
      .replaceAll('{minutes}', String(Math.ceil(settings.ttlSeconds / 60)))
      .replaceAll('{code}', code),
  ];
  if (settings.androidAppHash) lines.push(settings.androidAppHash);
  if (settings.webOtpDomain) lines.push(`@${settings.webOtpDomain} #${code}`);
  return lines.join('\n');
}

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Sent as an escape and the character: two septets each. */
const GSM7_EXTENSION = '^{}\\[~]|€\f';

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  length: number;
  /** What still fits one segment; a longer text is split and billed per part. */
  singleSegmentLimit: 160 | 70;
}

/** One character outside GSM-7 turns the whole text into UCS-2, which fits 70 per segment. */
export function smsLength(text: string): SmsLength {
  let septets = 0;
  for (const char of text) {
    if (GSM7_BASIC.includes(char)) septets += 1;
    else if (GSM7_EXTENSION.includes(char)) septets += 2;
    else return { encoding: 'UCS-2', length: text.length, singleSegmentLimit: 70 };
  }
  return { encoding: 'GSM-7', length: septets, singleSegmentLimit: 160 };
}

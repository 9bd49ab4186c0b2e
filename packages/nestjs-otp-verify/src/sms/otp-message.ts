import type { OtpSettings } from '../otp-options.js';

export type OtpAppLineSettings = Pick<OtpSettings, 'webOtpDomain' | 'androidAppHash'>;

/**
 * The text, then the Android app hash, then the WebOTP line, whatever the language: browsers
 * only read an origin-bound code on the very last line, the SMS Retriever finds its hash anywhere.
 */
export function withAppLines(settings: OtpAppLineSettings, text: string, code: string): string {
  const lines = [text];
  if (settings.androidAppHash) lines.push(settings.androidAppHash);
  if (settings.webOtpDomain) lines.push(`@${settings.webOtpDomain} #${code}`);
  return lines.join('\n');
}

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Sent as an escape and the character: two septets each. */
const GSM7_EXTENSION = '^{}\\[~]|€\f';
/** Septets per GSM-7 character; counted per SMS sent, so a lookup rather than a scan. */
const SEPTETS = new Map<string, number>([
  ...[...GSM7_BASIC].map((char) => [char, 1] as const),
  ...[...GSM7_EXTENSION].map((char) => [char, 2] as const),
]);

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  length: number;
  /** What still fits one segment; a longer text is split and billed per part. */
  singleSegmentLimit: 160 | 70;
  /**
   * Segments billed: a longer text is split into parts of 153 (GSM-7) or 67 (UCS-2), the rest
   * of each part holding the header that joins them again.
   */
  segments: number;
}

/** One character outside GSM-7 turns the whole text into UCS-2, which fits 70 per segment. */
export function smsLength(text: string): SmsLength {
  let septets = 0;
  for (const char of text) {
    const size = SEPTETS.get(char);
    if (size === undefined) return lengthOf('UCS-2', text.length, 70, 67);
    septets += size;
  }
  return lengthOf('GSM-7', septets, 160, 153);
}

function lengthOf(
  encoding: SmsLength['encoding'],
  length: number,
  singleSegmentLimit: 160 | 70,
  partLimit: number,
): SmsLength {
  const segments = length <= singleSegmentLimit ? 1 : Math.ceil(length / partLimit);
  return { encoding, length, singleSegmentLimit, segments };
}

import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';

/** The networks of no country that libphonenumber knows (satellite, freephone, premium). */
const NON_GEOGRAPHIC = ['800', '808', '870', '878', '881', '882', '883', '888', '979'];

const CALLING_CODES = new Set([
  ...getCountries().map((country) => getCountryCallingCode(country) as string),
  ...NON_GEOGRAPHIC,
]);

/**
 * The country calling code of an E.164 number (`+447400123456` is `44`), as a metric label.
 * Calling codes need no parse (they are prefix-free, one to three digits), so approvals, which
 * skip the parse, are labelled exactly as the sends they follow; and the label set stays bounded.
 */
export function callingCodeOf(e164: string): string {
  for (let length = 1; length <= 3; length++) {
    const code = e164.slice(1, 1 + length);
    if (CALLING_CODES.has(code)) return code;
  }
  return 'other';
}

import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { InvalidPhoneNumberError, PhoneNumberNotAllowedError } from '../otp.errors.js';

export interface PhoneNumber {
  /** E.164, the only form the store, the providers and the logs see. */
  e164: string;
  /** ISO 3166 alpha-2 region, when the number belongs to one. */
  region?: string;
  /** libphonenumber's type (`MOBILE`, `PREMIUM_RATE`, ...), when its metadata knows it. */
  type?: string;
}

/** Digits with the separators people write; letters, extensions and the like are refused. */
const WRITTEN_NUMBER = /^\+?[0-9][0-9 ().-]{3,30}$/;

/**
 * Parsing against the full metadata is the costliest step of a verification, and a number is
 * parsed again on its verify, its retries and its next request: the latest results are kept.
 * Bounded, so numbers sprayed by a client only push out older entries: two generations of
 * 5,000, the older dropped whole when the newer fills. Evicting the oldest entry one at a time
 * (`map.keys().next()`) walks the Map's deleted slots each time, which cost 6 µs per new number.
 */
const PARSED_GENERATION_SIZE = 5_000;
type Parsed = Readonly<PhoneNumber> | null;
let parsedRecently = new Map<string, Parsed>();
let parsedBefore = new Map<string, Parsed>();

function cachedParse(cacheKey: string): Parsed | undefined {
  const recent = parsedRecently.get(cacheKey);
  // `null` is a remembered refusal, not a miss.
  return recent !== undefined ? recent : parsedBefore.get(cacheKey);
}

function rememberParse(cacheKey: string, phone: Parsed): void {
  parsedRecently.set(cacheKey, phone);
  if (parsedRecently.size >= PARSED_GENERATION_SIZE) {
    parsedBefore = parsedRecently;
    parsedRecently = new Map();
  }
}

function parseUncached(trimmed: string, defaultCountry?: string): Readonly<PhoneNumber> | null {
  // The input is a written number already (WRITTEN_NUMBER): no need to search it for one.
  const parsed = parsePhoneNumberFromString(trimmed, {
    defaultCountry: defaultCountry as CountryCode | undefined,
    extract: false,
  });
  if (!parsed) return null;
  // A number with a type is valid (isValid() runs the same type patterns again); only a number
  // of no type needs the general check.
  const type = parsed.getType();
  if (type === undefined && !parsed.isValid()) return null;
  return Object.freeze({ e164: parsed.number, region: parsed.country, type });
}

/** The separators WRITTEN_NUMBER allows; none of them changes which number is meant. */
const SEPARATORS = /[ ().-]/g;
export const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * The input with its separators removed, if that is in E.164 form; nothing is parsed, so this
 * says nothing of whether the number exists. A written national prefix (`+44 (0) 7400 ...`)
 * stays in, so the result is not a number libphonenumber would give.
 */
export function e164AsWritten(input: string): string | undefined {
  const trimmed = input.trim();
  if (!WRITTEN_NUMBER.test(trimmed)) return undefined;
  const compact = trimmed.replace(SEPARATORS, '');
  return E164.test(compact) ? compact : undefined;
}

export function parsePhoneNumber(input: string, defaultCountry?: string): PhoneNumber {
  const trimmed = input.trim();
  if (!WRITTEN_NUMBER.test(trimmed)) throw new InvalidPhoneNumberError();
  // A national number is only meaningful against a region the operator chose.
  if (!trimmed.startsWith('+') && !defaultCountry) throw new InvalidPhoneNumberError();
  const cacheKey = `${defaultCountry ?? ''}:${trimmed}`;
  let phone = cachedParse(cacheKey);
  if (phone === undefined) {
    phone = parseUncached(trimmed, defaultCountry);
    rememberParse(cacheKey, phone);
  }
  if (!phone) throw new InvalidPhoneNumberError();
  return phone;
}

/** Shows the country code and the last four digits: enough to tell numbers apart in a log. */
export function maskPhoneNumber(e164: string): string {
  if (e164.length <= 7) return '*'.repeat(e164.length);
  return e164.slice(0, 3) + '*'.repeat(e164.length - 7) + e164.slice(-4);
}

export interface CountryRules {
  allowedCountries: string[];
  blockedCountries: string[];
}

export function assertCountryAllowed(phone: PhoneNumber, rules: CountryRules): void {
  const region = phone.region ?? '';
  if (rules.allowedCountries.length > 0 && !rules.allowedCountries.includes(region)) {
    throw new PhoneNumberNotAllowedError();
  }
  if (rules.blockedCountries.includes(region)) throw new PhoneNumberNotAllowedError();
}

/** libphonenumber's number types (`PhoneNumber.getType()`), as `OTP_ALLOWED_NUMBER_TYPES` names them. */
export const NUMBER_TYPES = [
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'FIXED_LINE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

/** The types that can receive an SMS: everything else costs money or reaches no handset. */
export const DEFAULT_ALLOWED_NUMBER_TYPES = ['MOBILE', 'FIXED_LINE_OR_MOBILE'];

/**
 * Refuses a number whose type, by libphonenumber's full metadata, is not allowed, and any
 * number of no country (satellite, international freephone and premium networks: the metadata
 * calls `+881` numbers `MOBILE`) unless every type is allowed (`*`).
 */
export function assertNumberTypeAllowed(phone: PhoneNumber, allowedTypes: string[]): void {
  if (allowedTypes.includes('*')) return;
  if (!phone.region) {
    throw new PhoneNumberNotAllowedError(
      'Verification codes cannot be sent to numbers of international networks',
    );
  }
  if (!phone.type || !allowedTypes.includes(phone.type)) {
    throw new PhoneNumberNotAllowedError(
      'Verification codes cannot be sent to numbers of this type',
    );
  }
}

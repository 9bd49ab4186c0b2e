import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { InvalidPhoneNumberError, PhoneNumberNotAllowedError } from '../otp.errors.js';

export interface PhoneNumber {
  /** E.164, the only form the store, the providers and the logs see. */
  e164: string;
  /** ISO 3166 alpha-2 region, when the number belongs to one. */
  region?: string;
}

/** Digits with the separators people write; letters, extensions and the like are refused. */
const WRITTEN_NUMBER = /^\+?[0-9][0-9 ().-]{3,30}$/;

export function parsePhoneNumber(input: string, defaultCountry?: string): PhoneNumber {
  const trimmed = input.trim();
  if (!WRITTEN_NUMBER.test(trimmed)) throw new InvalidPhoneNumberError();
  // A national number is only meaningful against a region the operator chose.
  if (!trimmed.startsWith('+') && !defaultCountry) throw new InvalidPhoneNumberError();
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode | undefined);
  if (!parsed?.isValid()) throw new InvalidPhoneNumberError();
  return { e164: parsed.number, region: parsed.country };
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

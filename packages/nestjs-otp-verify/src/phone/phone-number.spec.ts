import { describe, expect, it } from '@jest/globals';
import { InvalidPhoneNumberError, PhoneNumberNotAllowedError } from '../otp.errors.js';
import { assertCountryAllowed, maskPhoneNumber, parsePhoneNumber } from './phone-number.js';

describe('parsePhoneNumber', () => {
  it.each([
    ['+14155552671', '+14155552671', 'US'],
    ['+1 (415) 555-2671', '+14155552671', 'US'],
    ['+1.415.555.2671', '+14155552671', 'US'],
    ['  +44 7400 123456 ', '+447400123456', 'GB'],
    ['+33 6 12 34 56 78', '+33612345678', 'FR'],
  ])('normalises %s to E.164', (input, e164, region) => {
    expect(parsePhoneNumber(input)).toEqual({ e164, region });
  });

  it('accepts a national number only against a default country', () => {
    expect(parsePhoneNumber('07400 123456', 'GB')).toEqual({ e164: '+447400123456', region: 'GB' });
    expect(() => parsePhoneNumber('07400 123456')).toThrow(InvalidPhoneNumberError);
  });

  it.each([
    '',
    '+',
    '12345',
    '+1415555',
    '+999 1234 5678',
    '+1 415 FLOWERS',
    '+1 415 555 2671 ext 3',
    'abc',
  ])('refuses %p', (input) => {
    expect(() => parsePhoneNumber(input)).toThrow(InvalidPhoneNumberError);
  });
});

describe('maskPhoneNumber', () => {
  it('keeps the country code and the last four digits', () => {
    expect(maskPhoneNumber('+447400123456')).toBe('+44******3456');
    expect(maskPhoneNumber('+14155552671')).toBe('+14*****2671');
  });
});

describe('assertCountryAllowed', () => {
  const gb = { e164: '+447400123456', region: 'GB' };
  it('lets everything through without lists', () => {
    expect(() =>
      assertCountryAllowed(gb, { allowedCountries: [], blockedCountries: [] }),
    ).not.toThrow();
  });
  it('refuses countries outside the allow list and inside the block list', () => {
    expect(() =>
      assertCountryAllowed(gb, { allowedCountries: ['US'], blockedCountries: [] }),
    ).toThrow(PhoneNumberNotAllowedError);
    expect(() =>
      assertCountryAllowed(gb, { allowedCountries: [], blockedCountries: ['GB'] }),
    ).toThrow(PhoneNumberNotAllowedError);
    expect(() =>
      assertCountryAllowed(gb, { allowedCountries: ['GB'], blockedCountries: [] }),
    ).not.toThrow();
  });
});

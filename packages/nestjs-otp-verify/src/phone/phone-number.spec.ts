import { describe, expect, it } from '@jest/globals';
import { InvalidPhoneNumberError, PhoneNumberNotAllowedError } from '../otp.errors.js';
import {
  assertCountryAllowed,
  assertNumberTypeAllowed,
  DEFAULT_ALLOWED_NUMBER_TYPES,
  e164AsWritten,
  maskPhoneNumber,
  parsePhoneNumber,
} from './phone-number.js';

describe('parsePhoneNumber', () => {
  it.each([
    ['+14155552671', '+14155552671', 'US', 'FIXED_LINE_OR_MOBILE'],
    ['+1 (415) 555-2671', '+14155552671', 'US', 'FIXED_LINE_OR_MOBILE'],
    ['+1.415.555.2671', '+14155552671', 'US', 'FIXED_LINE_OR_MOBILE'],
    ['  +44 7400 123456 ', '+447400123456', 'GB', 'MOBILE'],
    ['+33 6 12 34 56 78', '+33612345678', 'FR', 'MOBILE'],
  ])('normalises %s to E.164', (input, e164, region, type) => {
    expect(parsePhoneNumber(input)).toEqual({ e164, region, type });
  });

  it('accepts a national number only against a default country', () => {
    expect(parsePhoneNumber('07400 123456', 'GB')).toEqual({
      e164: '+447400123456',
      region: 'GB',
      type: 'MOBILE',
    });
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

describe('assertNumberTypeAllowed', () => {
  const allowed = (input: string, types = DEFAULT_ALLOWED_NUMBER_TYPES) => {
    try {
      assertNumberTypeAllowed(parsePhoneNumber(input), types);
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(PhoneNumberNotAllowedError);
      return false;
    }
  };

  it.each(['+447400123456', '+14155552671', '+33612345678', '+4915123456789'])(
    'lets mobile numbers through by default: %s',
    (input) => expect(allowed(input)).toBe(true),
  );

  it.each([
    ['+19005551234', 'premium rate'],
    ['+449090123456', 'premium rate'],
    ['+442079460958', 'fixed line'],
    ['+498912345678', 'fixed line'],
    ['+881612345678', 'satellite, MOBILE to libphonenumber but of no country'],
    ['+870773111632', 'satellite'],
    ['+882160012345', 'international network'],
    ['+883120012345', 'international network'],
    ['+979123456789', 'international premium rate'],
    ['+80012345678', 'international freephone'],
    ['+80812345678', 'international shared cost'],
  ])('refuses %s (%s) by default', (input) => expect(allowed(input)).toBe(false));

  it('lets every number through with *, and a listed type only otherwise', () => {
    expect(allowed('+881612345678', ['*'])).toBe(true);
    expect(allowed('+19005551234', ['*'])).toBe(true);
    expect(allowed('+442079460958', ['FIXED_LINE'])).toBe(true);
    expect(allowed('+447400123456', ['FIXED_LINE'])).toBe(false);
    expect(allowed('+881612345678', ['MOBILE'])).toBe(false);
  });
});

describe('parsePhoneNumber, parsed again', () => {
  it('answers a number seen before from its cache, with the same frozen result', () => {
    const first = parsePhoneNumber('+44 7400 123458');
    expect(parsePhoneNumber('+44 7400 123458')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // The region the operator chose is part of what was parsed.
    expect(parsePhoneNumber('07400 123458', 'GB')).toEqual(first);
    expect(() => parsePhoneNumber('07400 123458', 'US')).toThrow(InvalidPhoneNumberError);
  });

  it('forgets a number after 10,000 newer ones, and parses it again the same', () => {
    const first = parsePhoneNumber('+44 7400 223344');
    for (let i = 0; i < 10_000; i++) parsePhoneNumber(`+4479${String(i).padStart(8, '0')}`);
    const again = parsePhoneNumber('+44 7400 223344');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('refuses an invalid number every time, not only the first', () => {
    for (let i = 0; i < 3; i++) {
      expect(() => parsePhoneNumber('+44 1234')).toThrow(InvalidPhoneNumberError);
    }
  });
});

describe('e164AsWritten', () => {
  it.each([
    ['+44 7400 123456', '+447400123456'],
    [' +1 (415) 555-2671 ', '+14155552671'],
    ['+44 (0) 7400 123456', '+4407400123456'],
    ['07400 123456', undefined],
    ['+0 7400 123456', undefined],
    ['+44 7400 123456 ext 1', undefined],
    [`+44${' '.repeat(40)}7400123456`, undefined],
  ])('reads %p as %p, without parsing it', (input, expected) => {
    expect(e164AsWritten(input)).toBe(expected);
  });
});

import { describe, expect, it } from '@jest/globals';
import { generateOtpCode, hashesEqual, hashOtpCode } from './otp-code.js';

describe('generateOtpCode', () => {
  it.each([4, 6, 10])('gives exactly %i ASCII digits, zero-padded', (length) => {
    for (let i = 0; i < 200; i++)
      expect(generateOtpCode(length)).toMatch(new RegExp(`^[0-9]{${length}}$`));
  });

  it('spreads codes over the whole range, leading zeros included', () => {
    const codes = Array.from({ length: 4000 }, () => generateOtpCode(4));
    expect(new Set(codes).size).toBeGreaterThan(3000);
    const firstDigits = new Set(codes.map((code) => code[0]));
    expect(firstDigits).toEqual(new Set('0123456789'.split('')));
  });
});

describe('hashOtpCode', () => {
  const secret = 'a-secret';

  it('is a keyed MAC that never contains the code', () => {
    const hash = hashOtpCode(secret, '+14155552671', '123456');
    expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hash).not.toContain('123456');
    expect(hashOtpCode(secret, '+14155552671', '123456')).toBe(hash);
  });

  it('differs by secret, number and code', () => {
    const hash = hashOtpCode(secret, '+14155552671', '123456');
    expect(hashOtpCode('other', '+14155552671', '123456')).not.toBe(hash);
    expect(hashOtpCode(secret, '+14155552672', '123456')).not.toBe(hash);
    expect(hashOtpCode(secret, '+14155552671', '123457')).not.toBe(hash);
  });

  it('compares hashes in constant time and tells them apart', () => {
    const hash = hashOtpCode(secret, '+14155552671', '123456');
    expect(hashesEqual(hash, hash)).toBe(true);
    expect(hashesEqual(hash, hashOtpCode(secret, '+14155552671', '000000'))).toBe(false);
    expect(hashesEqual(hash, 'short')).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so an id read aloud or retyped cannot be misread. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `ver_` and 26 Crockford base32 characters: the 128 bits, left-padded to 130. */
export const VERIFICATION_ID = /^ver_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/**
 * A verification's name: 128 bits from the OS CSPRNG, never derived from the number, so knowing
 * one id (or a number) tells nothing of another's.
 */
export function newVerificationId(): string {
  let value = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let digits = '';
  for (let i = 0; i < 26; i++) {
    digits = CROCKFORD[Number(value & 31n)] + digits;
    value >>= 5n;
  }
  return `ver_${digits}`;
}

export const isVerificationId = (value: string): boolean => VERIFICATION_ID.test(value);

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
  return verificationIdOf(randomBytes(16));
}

/** The id that names these 16 bytes. */
export function verificationIdOf(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  let digits = '';
  for (let i = 0; i < 26; i++) {
    digits = CROCKFORD[Number(value & 31n)] + digits;
    value >>= 5n;
  }
  return `ver_${digits}`;
}

/** The 16 bytes a well-formed id names: where an id must take little room (a voice ticket). */
export function verificationIdBytes(id: string): Buffer {
  let value = 0n;
  for (const digit of id.slice('ver_'.length)) {
    value = (value << 5n) | BigInt(CROCKFORD.indexOf(digit));
  }
  return Buffer.from(value.toString(16).padStart(32, '0'), 'hex');
}

export const isVerificationId = (value: string): boolean => VERIFICATION_ID.test(value);

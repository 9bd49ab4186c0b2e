import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** A code of `length` decimal digits, uniform over all of them, from the OS CSPRNG. */
export function generateOtpCode(length: number): string {
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, '0');
}

/**
 * What the store keeps instead of the code. The phone number is part of the MAC so that one
 * number's stored value says nothing about another's, and a leaked store cannot be matched
 * against a table of the 10^n possible codes without the secret. The MAC is truncated to its
 * first 128 bits (RFC 2104, section 5, allows half the hash length): forging one means guessing
 * 2^128 values against a code that allows a handful of attempts, and every pending code costs
 * 21 bytes less in Redis.
 */
export function hashOtpCode(secret: string, phoneNumber: string, code: string): string {
  return createHmac('sha256', secret)
    .update(`${phoneNumber}\u0000${code}`)
    .digest()
    .subarray(0, MAC_BYTES)
    .toString('base64url');
}

const MAC_BYTES = 16;

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

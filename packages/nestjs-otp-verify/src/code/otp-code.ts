import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** A code of `length` decimal digits, uniform over all of them, from the OS CSPRNG. */
export function generateOtpCode(length: number): string {
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, '0');
}

/**
 * What the store keeps instead of the code. The phone number is part of the MAC so that one
 * number's stored value says nothing about another's, and a leaked store cannot be matched
 * against a table of the 10^n possible codes without the secret.
 */
export function hashOtpCode(secret: string, phoneNumber: string, code: string): string {
  return createHmac('sha256', secret).update(`${phoneNumber}\u0000${code}`).digest('base64url');
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function randomHashSecret(): string {
  return randomBytes(32).toString('base64url');
}

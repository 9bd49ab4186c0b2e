import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { OtpValidationError } from './otp.errors.js';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * ValidationPipe with the shape of the contract's bodies checked first. class-transformer turns
 * the body into the DTO by recursing through every array and object in it, declared or not, with
 * no bound: an array nested a few thousand deep (well within 16 KiB) overflows the stack, and a
 * `__proto__` or `constructor` key is copied onto the instance. Every body of the contract is a
 * flat object of scalar fields, so anything else is refused before class-transformer sees it.
 */
class OtpValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') assertFlatObject(value);
    return super.transform(value, metadata);
  }
}

/** Never a field of a DTO; on an instance they would reach its prototype chain. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function assertFlatObject(body: unknown): void {
  if (!isPlainObject(body)) throw new OtpValidationError('The body must be a JSON object');
  for (const key of Object.keys(body)) {
    if (PROTOTYPE_KEYS.has(key)) throw new OtpValidationError(`property ${key} should not exist`);
    const field = body[key];
    if (typeof field === 'object' && field !== null) {
      throw new OtpValidationError(`${key.slice(0, 64)} must be a string, not an object or array`);
    }
  }
}

/** Carried by the controller itself, so host apps get the same 400s without a global pipe. */
export const otpValidationPipe = new OtpValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) =>
    new OtpValidationError(
      errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ') ||
        'The body is invalid',
    ),
});

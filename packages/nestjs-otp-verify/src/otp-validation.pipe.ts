import { ValidationPipe } from '@nestjs/common';
import { OtpValidationError } from './otp.errors.js';

/** Carried by the controller itself, so host apps get the same 400s without a global pipe. */
export const otpValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) =>
    new OtpValidationError(
      errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ') ||
        'The body is invalid',
    ),
});

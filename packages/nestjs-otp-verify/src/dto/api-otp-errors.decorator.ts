import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { httpStatusOf } from '../otp-error-response.js';
import { OTP_ERROR_MESSAGES, OtpErrorCode } from '../otp.errors.js';
import { ErrorResponseDto } from './otp-responses.dto.js';

/** One documented response per status, with an example body for each contract code it covers. */
export function ApiOtpErrors(...codes: OtpErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, OtpErrorCode[]>();
  for (const code of codes) {
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        type: ErrorResponseDto,
        description: statusCodes.join(', '),
        ...((status === 429 || statusCodes.includes(OtpErrorCode.IdempotencyKeyInUse)) && {
          headers: {
            'Retry-After': {
              description: 'whole seconds',
              required: true,
              schema: { type: 'integer' },
            },
          },
        }),
        examples: Object.fromEntries(
          statusCodes.map((code) => [
            code,
            {
              summary: code,
              value: {
                statusCode: status,
                code,
                message: OTP_ERROR_MESSAGES[code],
                ...(code === OtpErrorCode.OtpIncorrect && { attemptsRemaining: 3 }),
                ...(code === OtpErrorCode.VerificationNotPending && { status: 'approved' }),
                ...(code === OtpErrorCode.CaptchaRequired && {
                  captcha: { provider: 'turnstile', siteKey: '0x4AAAAAAAexample' },
                }),
              },
            },
          ]),
        ),
      }),
    ),
  );
}

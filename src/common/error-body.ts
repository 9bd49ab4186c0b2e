import {
  type ErrorResponse,
  OtpError,
  type OtpErrorCode,
  toErrorResponse,
} from 'nestjs-otp-verify';

/** The contract's status and body for `code`, for answers written outside Nest's pipeline. */
export function errorBodyOf(code: OtpErrorCode, message?: string): ErrorResponse {
  // An OtpError always maps to a body; only foreign HTTP exceptions may not.
  return toErrorResponse(new OtpError(code, message)) as ErrorResponse;
}

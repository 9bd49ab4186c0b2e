import { HttpException, HttpStatus } from '@nestjs/common';
import { OTP_ERROR_MESSAGES, OtpError, OtpErrorCode, type CaptchaChallenge } from './otp.errors.js';

export interface ErrorResponse {
  status: number;
  body: {
    statusCode: number;
    code: OtpErrorCode;
    message: string;
    attemptsRemaining?: number;
    status?: string;
    mayHaveBeenSent?: boolean;
    captcha?: CaptchaChallenge;
  };
  retryAfterSeconds?: number;
}

/** The HTTP status of each contract code: a table, so a new code without a status fails to compile. */
const HTTP_STATUS_OF: Record<OtpErrorCode, number> = {
  [OtpErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [OtpErrorCode.InvalidPhoneNumber]: HttpStatus.BAD_REQUEST,
  [OtpErrorCode.OtpIncorrect]: HttpStatus.BAD_REQUEST,
  [OtpErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [OtpErrorCode.PhoneNumberNotAllowed]: HttpStatus.FORBIDDEN,
  [OtpErrorCode.DeliveryBlocked]: HttpStatus.FORBIDDEN,
  [OtpErrorCode.CaptchaRequired]: HttpStatus.FORBIDDEN,
  [OtpErrorCode.CaptchaFailed]: HttpStatus.FORBIDDEN,
  [OtpErrorCode.CaptchaUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [OtpErrorCode.GlobalSendLimitExceeded]: HttpStatus.TOO_MANY_REQUESTS,
  [OtpErrorCode.OtpNotFound]: HttpStatus.NOT_FOUND,
  [OtpErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [OtpErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [OtpErrorCode.OtpAttemptsExceeded]: HttpStatus.TOO_MANY_REQUESTS,
  [OtpErrorCode.ResendCooldown]: HttpStatus.TOO_MANY_REQUESTS,
  [OtpErrorCode.SendLimitExceeded]: HttpStatus.TOO_MANY_REQUESTS,
  [OtpErrorCode.PhoneLocked]: HttpStatus.TOO_MANY_REQUESTS,
  [OtpErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [OtpErrorCode.CountrySendLimitExceeded]: HttpStatus.TOO_MANY_REQUESTS,
  [OtpErrorCode.InternalError]: HttpStatus.INTERNAL_SERVER_ERROR,
  [OtpErrorCode.SmsDeliveryFailed]: HttpStatus.BAD_GATEWAY,
  [OtpErrorCode.StoreUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [OtpErrorCode.VerificationNotFound]: HttpStatus.NOT_FOUND,
  [OtpErrorCode.VerificationNotPending]: HttpStatus.CONFLICT,
  [OtpErrorCode.IdempotencyKeyReused]: HttpStatus.UNPROCESSABLE_ENTITY,
  [OtpErrorCode.IdempotencyKeyInUse]: HttpStatus.CONFLICT,
  [OtpErrorCode.NotQuarantined]: HttpStatus.NOT_FOUND,
  [OtpErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [OtpErrorCode.MethodNotAllowed]: HttpStatus.METHOD_NOT_ALLOWED,
  [OtpErrorCode.RequestTimeout]: HttpStatus.REQUEST_TIMEOUT,
  // Nest's HttpStatus has no 431.
  [OtpErrorCode.HeadersTooLarge]: 431,
  [OtpErrorCode.ChannelUnavailable]: HttpStatus.BAD_REQUEST,
  [OtpErrorCode.InvalidSignature]: HttpStatus.FORBIDDEN,
};

export function httpStatusOf(code: OtpErrorCode): number {
  return HTTP_STATUS_OF[code];
}

function respond(
  code: OtpErrorCode,
  message: string = OTP_ERROR_MESSAGES[code],
  extra: Partial<ErrorResponse['body']> = {},
): ErrorResponse {
  const status = httpStatusOf(code);
  return { status, body: { statusCode: status, code, message, ...extra } };
}

/**
 * Errors the HTTP layer raised before `OtpService` ran: body parsing (Fastify, Express or Nest),
 * the throttler. ValidationPipe errors never get here: its factory throws `OtpValidationError`.
 * Body parser messages may quote the body, so a fixed message is sent instead.
 */
function fromHttpStatus(status: number): ErrorResponse | undefined {
  switch (status) {
    case HttpStatus.BAD_REQUEST:
      return respond(OtpErrorCode.ValidationFailed, 'The body is not valid JSON');
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return respond(OtpErrorCode.UnsupportedMediaType);
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return respond(OtpErrorCode.PayloadTooLarge);
    case HttpStatus.TOO_MANY_REQUESTS:
      return respond(OtpErrorCode.RateLimited);
  }
  return undefined;
}

function statusCarriedBy(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const candidate = exception as { statusCode?: unknown; status?: unknown } | null;
  const status = candidate?.statusCode ?? candidate?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

/**
 * The one mapping from anything thrown while serving a request to the contract's error body.
 * Undefined for an HTTP exception the contract does not speak of (another route's 404, a health
 * check's 503): those keep the body they were thrown with.
 */
export function toErrorResponse(exception: unknown): ErrorResponse | undefined {
  if (exception instanceof OtpError) {
    return {
      ...respond(exception.code, exception.message, exception.details),
      retryAfterSeconds: exception.retryAfterSeconds,
    };
  }
  const status = statusCarriedBy(exception);
  if (status === undefined) return respond(OtpErrorCode.InternalError);
  const mapped = fromHttpStatus(status);
  if (mapped || exception instanceof HttpException) return mapped;
  return respond(status >= 500 ? OtpErrorCode.InternalError : OtpErrorCode.ValidationFailed);
}

/** Every machine-readable `code` of the HTTP contract. */
export enum OtpErrorCode {
  ValidationFailed = 'validation_failed',
  InvalidPhoneNumber = 'invalid_phone_number',
  PhoneNumberNotAllowed = 'phone_number_not_allowed',
  OtpIncorrect = 'otp_incorrect',
  OtpNotFound = 'otp_not_found',
  OtpAttemptsExceeded = 'otp_attempts_exceeded',
  ResendCooldown = 'resend_cooldown',
  SendLimitExceeded = 'send_limit_exceeded',
  PhoneLocked = 'phone_locked',
  RateLimited = 'rate_limited',
  PayloadTooLarge = 'payload_too_large',
  SmsDeliveryFailed = 'sms_delivery_failed',
  StoreUnavailable = 'store_unavailable',
  InternalError = 'internal_error',
  DeliveryBlocked = 'delivery_blocked',
  CountrySendLimitExceeded = 'country_send_limit_exceeded',
  Unauthorized = 'unauthorized',
  UnsupportedMediaType = 'unsupported_media_type',
  VerificationNotFound = 'verification_not_found',
  VerificationNotPending = 'verification_not_pending',
  IdempotencyKeyReused = 'idempotency_key_reused',
  IdempotencyKeyInUse = 'idempotency_key_in_use',
  GlobalSendLimitExceeded = 'global_send_limit_exceeded',
  CaptchaRequired = 'captcha_required',
  CaptchaFailed = 'captcha_failed',
  CaptchaUnavailable = 'captcha_unavailable',
  NotQuarantined = 'not_quarantined',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  RequestTimeout = 'request_timeout',
  HeadersTooLarge = 'headers_too_large',
  ChannelUnavailable = 'channel_unavailable',
  InvalidSignature = 'invalid_signature',
}

/** The message each code carries unless a more precise one is known; never a secret. */
export const OTP_ERROR_MESSAGES: Record<OtpErrorCode, string> = {
  [OtpErrorCode.ValidationFailed]: 'The body is invalid',
  [OtpErrorCode.InvalidPhoneNumber]: 'phoneNumber is not a valid phone number',
  [OtpErrorCode.PhoneNumberNotAllowed]:
    'Verification codes cannot be sent to numbers of this country',
  [OtpErrorCode.OtpIncorrect]: 'The code is incorrect',
  [OtpErrorCode.OtpNotFound]: 'No code is pending for this phone number',
  [OtpErrorCode.OtpAttemptsExceeded]: 'Too many incorrect codes; request a new code',
  [OtpErrorCode.ResendCooldown]:
    'A code was sent to this number moments ago; wait before requesting another',
  [OtpErrorCode.SendLimitExceeded]: 'Too many codes were sent to this number; try again later',
  [OtpErrorCode.PhoneLocked]: 'Too many failed verifications for this number; try again later',
  [OtpErrorCode.RateLimited]: 'Too many requests from this client; slow down',
  [OtpErrorCode.PayloadTooLarge]: 'The request body is over 16 KiB',
  [OtpErrorCode.SmsDeliveryFailed]: 'The SMS could not be delivered; try again',
  [OtpErrorCode.StoreUnavailable]: 'The service is temporarily unavailable; try again',
  [OtpErrorCode.InternalError]: 'Internal server error',
  [OtpErrorCode.DeliveryBlocked]:
    'Verification codes to this number range are suspended because of suspected fraud',
  [OtpErrorCode.CountrySendLimitExceeded]:
    "Too many codes were sent to this number's country today; try again later",
  [OtpErrorCode.Unauthorized]: 'A known API key is required: Authorization: Bearer <key>',
  [OtpErrorCode.UnsupportedMediaType]: 'The body must be JSON (Content-Type: application/json)',
  [OtpErrorCode.VerificationNotFound]: 'No verification has this id, or it is past its retention',
  [OtpErrorCode.VerificationNotPending]: 'The verification is no longer pending',
  [OtpErrorCode.IdempotencyKeyReused]:
    'This Idempotency-Key was used with another body; use a new key for a new request',
  [OtpErrorCode.IdempotencyKeyInUse]:
    'The first request with this Idempotency-Key is still being served; retry in a moment',
  [OtpErrorCode.GlobalSendLimitExceeded]:
    'Too many codes were sent by this service lately; try again later',
  [OtpErrorCode.CaptchaRequired]: 'A challenge is required: resend with captchaToken',
  [OtpErrorCode.CaptchaFailed]: 'The challenge was not passed, or its token was used or too old',
  [OtpErrorCode.CaptchaUnavailable]: 'The challenge could not be checked; try again',
  [OtpErrorCode.NotQuarantined]: 'This prefix or country is not quarantined',
  [OtpErrorCode.NotFound]: 'No such route',
  [OtpErrorCode.MethodNotAllowed]: 'This route does not take this method',
  [OtpErrorCode.RequestTimeout]: 'The request did not arrive in time',
  [OtpErrorCode.HeadersTooLarge]: 'The request headers are too large',
  [OtpErrorCode.ChannelUnavailable]: 'This channel is not available for this number or service',
  [OtpErrorCode.InvalidSignature]: 'The callback signature does not check',
};

/** How long a limit still refuses, and the window it counts over. */
export interface LimitWait {
  waitMs: number;
  windowSeconds: number;
}

/**
 * `Retry-After` of a limit's refusal: whole seconds, at least one, never longer than the limit's
 * window. The stores' waits can run past it: the send window's end is kept in whole seconds,
 * rounded up, and the country budget's two-bucket estimate keeps weighing a full previous bucket
 * for up to a second window. By the window's end every refused send has left a true window, so
 * that is the longest wait the contract lets a client be told.
 */
export function retryAfterSeconds({ waitMs, windowSeconds }: LimitWait): number {
  return Math.min(Math.max(Math.ceil(waitMs / 1000), 1), Math.max(windowSeconds, 1));
}

/**
 * A refusal in the domain's words. It carries the contract code and nothing HTTP-specific, so a
 * host application calling `OtpService` directly can branch on `code`.
 */
export class OtpError extends Error {
  constructor(
    readonly code: OtpErrorCode,
    message: string = OTP_ERROR_MESSAGES[code],
    /** Seconds until the same call can succeed, for refusals that pass with time. */
    readonly retryAfterSeconds?: number,
    /** More fields of the error body (`attemptsRemaining`, `status`); never a secret. */
    readonly details?: Readonly<Record<string, string | number | boolean | object>>,
  ) {
    // A refusal is an answer, not a fault: its stack is never shown, and capturing it cost more
    // than the rest of a wrong-code verification.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
  }
}

export class OtpValidationError extends OtpError {
  constructor(message: string) {
    super(OtpErrorCode.ValidationFailed, message);
  }
}

export class InvalidPhoneNumberError extends OtpError {
  constructor() {
    super(OtpErrorCode.InvalidPhoneNumber);
  }
}

export class PhoneNumberNotAllowedError extends OtpError {
  constructor(message?: string) {
    super(OtpErrorCode.PhoneNumberNotAllowed, message);
  }
}

export class OtpIncorrectError extends OtpError {
  constructor(readonly attemptsRemaining: number) {
    super(OtpErrorCode.OtpIncorrect, undefined, undefined, { attemptsRemaining });
  }
}

export class OtpNotFoundError extends OtpError {
  constructor() {
    super(OtpErrorCode.OtpNotFound);
  }
}

/** The refusals that pass with time; each answer carries `Retry-After`. */
export class OtpAttemptsExceededError extends OtpError {
  constructor(wait: LimitWait) {
    super(OtpErrorCode.OtpAttemptsExceeded, undefined, retryAfterSeconds(wait));
  }
}

export class ResendCooldownError extends OtpError {
  constructor(wait: LimitWait) {
    super(OtpErrorCode.ResendCooldown, undefined, retryAfterSeconds(wait));
  }
}

export class SendLimitExceededError extends OtpError {
  constructor(wait: LimitWait) {
    super(OtpErrorCode.SendLimitExceeded, undefined, retryAfterSeconds(wait));
  }
}

export class PhoneLockedError extends OtpError {
  constructor(wait: LimitWait) {
    super(OtpErrorCode.PhoneLocked, undefined, retryAfterSeconds(wait));
  }
}

const MAY_HAVE_BEEN_SENT_MESSAGE =
  'The SMS provider did not confirm the message; it may still arrive. Wait before requesting another code';

/**
 * No provider took the message. With `mayHaveBeenSent`, a provider's answer was lost: the code
 * stays pending and the send counted, so the client waits `retryAfterSeconds` (the cooldown).
 */
export class SmsDeliveryFailedError extends OtpError {
  readonly mayHaveBeenSent: boolean;

  constructor(lost?: { mayHaveBeenSent: true; retryAfterSeconds: number }) {
    super(
      OtpErrorCode.SmsDeliveryFailed,
      lost ? MAY_HAVE_BEEN_SENT_MESSAGE : undefined,
      lost?.retryAfterSeconds,
      lost && { mayHaveBeenSent: true },
    );
    this.mayHaveBeenSent = lost !== undefined;
  }
}

export class StoreUnavailableError extends OtpError {
  constructor() {
    super(OtpErrorCode.StoreUnavailable);
  }
}

export class RateLimitedError extends OtpError {
  constructor(wait: LimitWait) {
    super(OtpErrorCode.RateLimited, undefined, retryAfterSeconds(wait));
  }
}

export class DeliveryBlockedError extends OtpError {
  constructor() {
    super(OtpErrorCode.DeliveryBlocked);
  }
}

export class CountrySendLimitExceededError extends OtpError {
  constructor(wait: LimitWait) {
    super(OtpErrorCode.CountrySendLimitExceeded, undefined, retryAfterSeconds(wait));
  }
}

export class NotQuarantinedError extends OtpError {
  constructor() {
    super(OtpErrorCode.NotQuarantined);
  }
}

export class UnauthorizedError extends OtpError {
  constructor() {
    super(OtpErrorCode.Unauthorized);
  }
}

export class VerificationNotFoundError extends OtpError {
  constructor() {
    super(OtpErrorCode.VerificationNotFound);
  }
}

/** `status` says what the verification is instead: approved, canceled, expired, ... */
export class VerificationNotPendingError extends OtpError {
  constructor(status: string) {
    super(OtpErrorCode.VerificationNotPending, undefined, undefined, { status });
  }
}

export class IdempotencyKeyReusedError extends OtpError {
  constructor() {
    super(OtpErrorCode.IdempotencyKeyReused);
  }
}

export class IdempotencyKeyInUseError extends OtpError {
  constructor() {
    super(OtpErrorCode.IdempotencyKeyInUse, undefined, 1);
  }
}

export class GlobalSendLimitExceededError extends OtpError {
  constructor(wait: LimitWait) {
    super(OtpErrorCode.GlobalSendLimitExceeded, undefined, retryAfterSeconds(wait));
  }
}

/** What a client renders before it asks again: the provider's widget, with this site key. */
export interface CaptchaChallenge {
  provider: string;
  siteKey: string;
}

export class CaptchaRequiredError extends OtpError {
  constructor(readonly captcha: CaptchaChallenge) {
    super(OtpErrorCode.CaptchaRequired, undefined, undefined, { captcha: { ...captcha } });
  }
}

export class CaptchaFailedError extends OtpError {
  constructor() {
    super(OtpErrorCode.CaptchaFailed);
  }
}

export class CaptchaUnavailableError extends OtpError {
  constructor() {
    super(OtpErrorCode.CaptchaUnavailable);
  }
}

/** `channel: "voice"` without a provider that can call or a URL it can reach the service at. */
export class ChannelUnavailableError extends OtpError {
  constructor(message?: string) {
    super(OtpErrorCode.ChannelUnavailable, message);
  }
}

/** A provider callback, or a voice ticket, that is not what the service signed or sealed. */
export class InvalidSignatureError extends OtpError {
  constructor() {
    super(OtpErrorCode.InvalidSignature);
  }
}

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
  GlobalSendLimitExceeded = 'global_send_limit_exceeded',
  CaptchaRequired = 'captcha_required',
  CaptchaFailed = 'captcha_failed',
  CaptchaUnavailable = 'captcha_unavailable',
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
  [OtpErrorCode.GlobalSendLimitExceeded]:
    'Too many codes were sent by this service lately; try again later',
  [OtpErrorCode.CaptchaRequired]: 'A challenge is required: resend with captchaToken',
  [OtpErrorCode.CaptchaFailed]: 'The challenge was not passed, or its token was used or too old',
  [OtpErrorCode.CaptchaUnavailable]: 'The challenge could not be checked; try again',
};

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
    super(OtpErrorCode.OtpIncorrect);
  }
}

export class OtpNotFoundError extends OtpError {
  constructor() {
    super(OtpErrorCode.OtpNotFound);
  }
}

/** The refusals that pass with time; each answer carries `Retry-After`. */
export class OtpAttemptsExceededError extends OtpError {
  constructor(retryAfterSeconds: number) {
    super(OtpErrorCode.OtpAttemptsExceeded, undefined, retryAfterSeconds);
  }
}

export class ResendCooldownError extends OtpError {
  constructor(retryAfterSeconds: number) {
    super(OtpErrorCode.ResendCooldown, undefined, retryAfterSeconds);
  }
}

export class SendLimitExceededError extends OtpError {
  constructor(retryAfterSeconds: number) {
    super(OtpErrorCode.SendLimitExceeded, undefined, retryAfterSeconds);
  }
}

export class PhoneLockedError extends OtpError {
  constructor(retryAfterSeconds: number) {
    super(OtpErrorCode.PhoneLocked, undefined, retryAfterSeconds);
  }
}

export class SmsDeliveryFailedError extends OtpError {
  constructor() {
    super(OtpErrorCode.SmsDeliveryFailed);
  }
}

export class StoreUnavailableError extends OtpError {
  constructor() {
    super(OtpErrorCode.StoreUnavailable);
  }
}

export class RateLimitedError extends OtpError {
  constructor(retryAfterSeconds: number) {
    super(OtpErrorCode.RateLimited, undefined, retryAfterSeconds);
  }
}

export class DeliveryBlockedError extends OtpError {
  constructor() {
    super(OtpErrorCode.DeliveryBlocked);
  }
}

export class CountrySendLimitExceededError extends OtpError {
  constructor(retryAfterSeconds: number) {
    super(OtpErrorCode.CountrySendLimitExceeded, undefined, retryAfterSeconds);
  }
}

export class UnauthorizedError extends OtpError {
  constructor() {
    super(OtpErrorCode.Unauthorized);
  }
}

export class GlobalSendLimitExceededError extends OtpError {
  constructor(retryAfterSeconds: number) {
    super(OtpErrorCode.GlobalSendLimitExceeded, undefined, retryAfterSeconds);
  }
}

/** What a client renders before it asks again: the provider's widget, with this site key. */
export interface CaptchaChallenge {
  provider: string;
  siteKey: string;
}

export class CaptchaRequiredError extends OtpError {
  constructor(readonly captcha: CaptchaChallenge) {
    super(OtpErrorCode.CaptchaRequired);
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

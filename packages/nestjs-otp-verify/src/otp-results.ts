/** What `OtpService` takes and answers: the same shapes as the HTTP contract's bodies. */
export type OtpChannel = 'sms' | 'voice';

/** How a code is to reach the user; both optional. */
export interface OtpRequestOptions {
  /** `sms` when left out. */
  channel?: OtpChannel;
  /** BCP 47 tag (`fr`, `pt-BR`); the number's country decides when left out or unknown. */
  locale?: string;
}

export interface OtpRequestResult {
  verificationId: string;
  status: 'pending';
  phoneNumber: string;
  channel: OtpChannel;
  locale: string;
  expiresInSeconds: number;
  resendAfterSeconds: number;
  maxAttempts: number;
}

export interface OtpVerifyResult {
  verificationId: string;
  status: 'approved';
  phoneNumber: string;
  /** Signed JWT that the application's backend checks against the JWKS. */
  verificationToken: string;
  tokenExpiresInSeconds: number;
}

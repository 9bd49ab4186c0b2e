import { Inject, Injectable, Logger } from '@nestjs/common';
import { generateOtpCode, hashOtpCode } from './code/otp-code.js';
import { FraudGuardService } from './fraud/fraud-guard.service.js';
import { OTP_SETTINGS, type OtpSettings } from './otp-options.js';
import {
  OtpAttemptsExceededError,
  OtpIncorrectError,
  OtpNotFoundError,
  OtpValidationError,
  PhoneLockedError,
  ResendCooldownError,
  SendLimitExceededError,
  SmsDeliveryFailedError,
} from './otp.errors.js';
import {
  assertCountryAllowed,
  assertNumberTypeAllowed,
  maskPhoneNumber,
  parsePhoneNumber,
  type PhoneNumber,
} from './phone/phone-number.js';
import { renderOtpMessage } from './sms/otp-message.js';
import { InjectSmsProvider, type SmsProvider } from './sms/sms-provider.js';
import {
  InjectOtpStore,
  type IssuePolicy,
  type OtpStore,
  type VerifyPolicy,
} from './store/otp-store.js';

export type OtpChannel = 'sms';

export interface OtpRequestResult {
  status: 'pending';
  phoneNumber: string;
  channel: OtpChannel;
  expiresInSeconds: number;
  resendAfterSeconds: number;
  maxAttempts: number;
}

export interface OtpVerifyResult {
  status: 'approved';
  phoneNumber: string;
}

const toSeconds = (ms: number): number => Math.max(Math.ceil(ms / 1000), 1);

/**
 * Sends and checks one-time codes. Speaks the domain only: refusals are `OtpError`s with the
 * contract's code, so host applications can call it without HTTP.
 */
@Injectable()
export class OtpService {
  private readonly logger = new Logger(OtpService.name);
  private readonly issuePolicy: IssuePolicy;
  private readonly verifyPolicy: VerifyPolicy;
  private readonly codeFormat: RegExp;

  constructor(
    @Inject(OTP_SETTINGS) private readonly settings: OtpSettings,
    @InjectOtpStore() private readonly store: OtpStore,
    @InjectSmsProvider() private readonly sms: SmsProvider,
    private readonly fraudGuard: FraudGuardService,
  ) {
    this.issuePolicy = {
      ttlMs: settings.ttlSeconds * 1000,
      maxAttempts: settings.maxAttempts,
      cooldownMs: settings.resendCooldownSeconds * 1000,
      maxSends: settings.maxSendsPerWindow,
      sendWindowMs: settings.sendWindowSeconds * 1000,
      lockoutThreshold: settings.lockoutThreshold,
    };
    this.codeFormat = new RegExp(`^[0-9]{${settings.codeLength}}$`);
    this.verifyPolicy = {
      lockoutThreshold: settings.lockoutThreshold,
      lockoutWindowMs: settings.lockoutWindowSeconds * 1000,
    };
  }

  /** Normalises a number as the service would, without sending anything. */
  parsePhoneNumber(phoneNumber: string): PhoneNumber {
    return parsePhoneNumber(phoneNumber, this.settings.defaultCountry);
  }

  async requestCode(phoneNumber: string, channel: OtpChannel = 'sms'): Promise<OtpRequestResult> {
    const phone = this.parsePhoneNumber(phoneNumber);
    assertCountryAllowed(phone, this.settings);
    assertNumberTypeAllowed(phone, this.settings.allowedNumberTypes);
    await this.fraudGuard.guardSend(phone, () => this.issueAndSend(phone));
    return {
      status: 'pending',
      phoneNumber: phone.e164,
      channel,
      expiresInSeconds: this.settings.ttlSeconds,
      resendAfterSeconds: this.settings.resendCooldownSeconds,
      maxAttempts: this.settings.maxAttempts,
    };
  }

  /** Stores a fresh code within the per-number limits and sends it; a failed send takes it back. */
  private async issueAndSend(phone: PhoneNumber): Promise<void> {
    const code = generateOtpCode(this.settings.codeLength);
    const hash = hashOtpCode(this.settings.hashSecret, phone.e164, code);

    const issued = await this.store.issue(phone.e164, hash, this.issuePolicy);
    switch (issued.outcome) {
      case 'locked':
        throw new PhoneLockedError(toSeconds(issued.retryAfterMs));
      case 'cooldown':
        throw new ResendCooldownError(toSeconds(issued.retryAfterMs));
      case 'send_limit':
        throw new SendLimitExceededError(toSeconds(issued.retryAfterMs));
    }

    const text = renderOtpMessage(this.settings, code);
    try {
      await this.sms.send({ to: phone.e164, text });
    } catch (error) {
      // An undelivered code must not hold the user back: take back the code and the send.
      await this.store.revoke(phone.e164, hash);
      this.logger.warn(
        `SMS to ${maskPhoneNumber(phone.e164)} failed: ${(error as Error).name}; code revoked`,
      );
      throw new SmsDeliveryFailedError();
    }
  }

  async verifyCode(phoneNumber: string, code: string): Promise<OtpVerifyResult> {
    if (!this.codeFormat.test(code)) {
      throw new OtpValidationError(`code must be exactly ${this.settings.codeLength} digits`);
    }
    const phone = this.parsePhoneNumber(phoneNumber);
    const hash = hashOtpCode(this.settings.hashSecret, phone.e164, code);

    const result = await this.store.verify(phone.e164, hash, this.verifyPolicy);
    switch (result.outcome) {
      case 'approved':
        await this.fraudGuard.approved(phone);
        return { status: 'approved', phoneNumber: phone.e164 };
      case 'not_found':
        throw new OtpNotFoundError();
      case 'incorrect':
        throw new OtpIncorrectError(result.attemptsRemaining);
      case 'attempts_exceeded':
        throw new OtpAttemptsExceededError(toSeconds(result.retryAfterMs));
      case 'locked':
        throw new PhoneLockedError(toSeconds(result.retryAfterMs));
    }
  }
}

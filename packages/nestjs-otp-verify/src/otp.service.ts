import { Injectable, Logger } from '@nestjs/common';
import { generateOtpCode, hashOtpCode } from './code/otp-code.js';
import { ChallengeService, type ChallengeContext } from './challenge/challenge.service.js';
import { ChallengeNeededError, FraudGuardService } from './fraud/fraud-guard.service.js';
import { InjectOtpSettings, InjectOtpStore } from './otp.decorators.js';
import type { OtpSettings } from './otp-options.js';
import {
  type LimitWait,
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
  e164AsWritten,
  maskPhoneNumber,
  parsePhoneNumber,
  type PhoneNumber,
} from './phone/phone-number.js';
import { OtpMessages } from './i18n/otp-messages.js';
import type { SmsSent } from './sms/sms-provider.js';
import { SmsDeliveryError } from './sms/resilient-sms.provider.js';
import type { IssuePolicy, OtpStore, VerifyPolicy, VerifyResult } from './store/otp-store.js';
import { RedisDeadline } from './store/redis-deadline.js';
import { OtpTestNumbers } from './test-numbers/test-numbers.js';
import { OtpTokenSigner } from './token/otp-token-signer.js';
import { OtpEvents } from './events/otp-events.js';
import type { AttemptStatus, NewVerification } from './verification/verification.js';
import { newVerificationId } from './verification/verification-id.js';
import type {
  OtpChannel,
  OtpRequestOptions,
  OtpRequestResult,
  OtpVerifyResult,
} from './otp-results.js';
import { CodeDeliveries } from './voice/code-delivery.js';
import { OtpVoiceCalls } from './voice/otp-voice-calls.js';

/** libphonenumber's region code for numbers of no country (+800, +881, ...). */
const NO_COUNTRY = '001';

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
  /** Each per-number refusal's wait, with the window of the limit that refused. */
  private readonly waits: Record<
    'lockout' | 'cooldown' | 'sendWindow' | 'code',
    (waitMs: number) => LimitWait
  >;

  constructor(
    @InjectOtpSettings() private readonly settings: OtpSettings,
    @InjectOtpStore() private readonly store: OtpStore,
    private readonly tokens: OtpTokenSigner,
    private readonly testNumbers: OtpTestNumbers,
    private readonly fraudGuard: FraudGuardService,
    private readonly events: OtpEvents,
    private readonly challenge: ChallengeService,
    private readonly messages: OtpMessages,
    private readonly voice: OtpVoiceCalls,
    private readonly deliveries: CodeDeliveries,
  ) {
    this.issuePolicy = {
      ttlMs: settings.ttlSeconds * 1000,
      maxAttempts: settings.maxAttempts,
      cooldownMs: settings.resendCooldownSeconds * 1000,
      maxSends: settings.maxSendsPerWindow,
      sendWindowMs: settings.sendWindowSeconds * 1000,
      lockoutThreshold: settings.lockoutThreshold,
    };
    const windowOf = (windowSeconds: number) => (waitMs: number) => ({ waitMs, windowSeconds });
    this.waits = {
      lockout: windowOf(settings.lockoutWindowSeconds),
      cooldown: windowOf(settings.resendCooldownSeconds),
      sendWindow: windowOf(settings.sendWindowSeconds),
      code: windowOf(settings.ttlSeconds),
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

  /** The number, channel and locale a request is about: what makes two requests the same one. */
  normaliseRequest(phoneNumber: string, request: OtpRequestOptions = {}): string {
    const testNumber = this.testNumbers.match(phoneNumber);
    const { e164, region } = testNumber
      ? { e164: testNumber.e164, region: this.regionOf(testNumber.e164) }
      : this.parsePhoneNumber(phoneNumber);
    const locale = this.messages.resolveLocale(request.locale, region);
    return `${e164} ${request.channel ?? 'sms'} ${locale}`;
  }

  /**
   * `challenge` carries what the HTTP edge knows (the client's `captchaToken`, address and
   * request count); a host app's own call may leave it out, and `deadline`, the HTTP request's
   * time for Redis (store/redis-deadline.ts), too.
   */
  async requestCode(
    phoneNumber: string,
    request: OtpRequestOptions = {},
    challenge: ChallengeContext = {},
    deadline = RedisDeadline.startingNow(),
  ): Promise<OtpRequestResult> {
    const channel = request.channel ?? 'sms';
    if (channel === 'voice') this.voice.assertAvailable();
    const testNumber = this.testNumbers.match(phoneNumber);
    if (testNumber) {
      const { e164, code } = testNumber;
      return this.requestTestCode(e164, code, channel, request.locale, deadline);
    }
    const phone = this.parsePhoneNumber(phoneNumber);
    assertCountryAllowed(phone, this.settings);
    assertNumberTypeAllowed(phone, this.voice.numberTypesFor(channel));
    const risk = {
      failures: () => this.store.failedVerifications(phone.e164, deadline),
      country: () => phone.region ?? '001',
    };
    const challenged = await this.challenge.admit('request', challenge, risk, deadline);
    const locale = this.messages.resolveLocale(request.locale, phone.region);
    const verification = this.newVerification(channel, locale, phone.region, false);
    let delivery: 'sent' | 'unconfirmed';
    try {
      delivery = await this.fraudGuard.guardSend(
        phone,
        () => this.issueAndSend(phone, verification, deadline),
        challenged,
        deadline,
      );
    } catch (error) {
      throw error instanceof ChallengeNeededError ? this.challenge.required() : error;
    }
    if (delivery === 'unconfirmed') {
      throw new SmsDeliveryFailedError({
        mayHaveBeenSent: true,
        retryAfterSeconds: Math.max(this.settings.resendCooldownSeconds, 1),
      });
    }
    return this.pending(phone.e164, verification, this.settings.resendCooldownSeconds);
  }

  private newVerification(
    channel: OtpChannel,
    locale: string,
    region: string | undefined,
    test: boolean,
  ) {
    return {
      id: newVerificationId(),
      channel,
      locale,
      country: region ?? NO_COUNTRY,
      test,
      retentionMs: this.settings.verificationRetentionSeconds * 1000,
    } satisfies NewVerification;
  }

  private pending(
    e164: string,
    verification: NewVerification,
    resendAfterSeconds: number,
  ): OtpRequestResult {
    return {
      verificationId: verification.id,
      status: 'pending',
      phoneNumber: e164,
      channel: verification.channel as OtpChannel,
      locale: verification.locale,
      expiresInSeconds: this.settings.ttlSeconds,
      resendAfterSeconds,
      maxAttempts: this.settings.maxAttempts,
    };
  }

  /**
   * Stores a fresh code within the per-number limits and sends it. A send the provider surely
   * refused is taken back; one whose answer was lost may still arrive, so it stays counted
   * (cooldown, send cap, fraud guard, budgets) with its code pending, and is `unconfirmed`.
   */
  private async issueAndSend(
    phone: PhoneNumber,
    verification: NewVerification,
    deadline: RedisDeadline,
  ): Promise<'sent' | 'unconfirmed'> {
    const code = generateOtpCode(this.settings.codeLength);
    const hash = hashOtpCode(this.settings.hashSecret, phone.e164, code);
    const delivery = this.deliveries.of(phone.e164, verification, code, this.issuePolicy);
    const issued = await this.store.issue(
      phone.e164,
      hash,
      delivery.policy,
      delivery.verification,
      deadline,
    );
    switch (issued.outcome) {
      case 'locked':
        throw new PhoneLockedError(this.waits.lockout(issued.retryAfterMs));
      case 'cooldown':
        throw new ResendCooldownError(this.waits.cooldown(issued.retryAfterMs));
      case 'send_limit':
        throw new SendLimitExceededError(this.waits.sendWindow(issued.retryAfterMs));
    }

    await this.events.verification('verification.canceled', issued.canceled);
    const recorded = { ...verification, record: issued.record, deadline };
    const at = Date.now();
    let sent: SmsSent | void;
    try {
      // The provider's time is not the store's: a slow provider leaves the revoke its time.
      sent = await deadline.excluding(() => delivery.send());
    } catch (error) {
      if (error instanceof SmsDeliveryError && error.mayHaveBeenSent) {
        this.logger.warn(
          `${delivery.what} to ${maskPhoneNumber(phone.e164)} may have been sent (${error.reason}); code left pending`,
        );
        await this.recordAttempt(recorded, delivery.provider, 'unconfirmed', at);
        await this.events.verification('verification.pending', verification.id);
        return 'unconfirmed';
      }
      // An undelivered code must not hold the user back: take back the code and the send.
      await this.store.revoke(phone.e164, hash, verification.channel === 'voice', deadline);
      this.logger.warn(
        `${delivery.what} to ${maskPhoneNumber(phone.e164)} failed: ${(error as Error).name}; code revoked`,
      );
      await this.recordAttempt(recorded, delivery.provider, 'failed', at);
      await this.events.verification('verification.failed', verification.id);
      throw new SmsDeliveryFailedError();
    }
    await this.recordAttempt(recorded, delivery.provider, 'sent', at, sent);
    await this.events.verification('verification.pending', verification.id);
    return 'sent';
  }

  private async recordAttempt(
    verification: NewVerification & { record?: string; deadline: RedisDeadline },
    provider: string,
    status: AttemptStatus,
    at: number,
    sent?: SmsSent | void,
  ): Promise<void> {
    const attempt = {
      channel: verification.channel,
      provider: sent?.provider ?? provider,
      status,
      at,
      updatedAt: Date.now(),
      ...(sent?.messageId && { messageId: sent.messageId }),
    };
    await this.store
      .recordAttempt(verification.id, attempt, verification.record, verification.deadline)
      .catch(() => undefined);
  }

  async verifyCode(
    phoneNumber: string,
    code: string,
    challenge: ChallengeContext = {},
    deadline = RedisDeadline.startingNow(),
  ): Promise<OtpVerifyResult> {
    if (!this.codeFormat.test(code)) {
      throw new OtpValidationError(`code must be exactly ${this.settings.codeLength} digits`);
    }
    const testNumber = this.testNumbers.match(phoneNumber);
    if (testNumber) {
      // Locked out like any number: a fixed code must not be guessable by asking again and again.
      const result = await this.check(testNumber.e164, code, deadline);
      return this.answer(testNumber.e164, result, deadline, true);
    }
    // Parsed only when the challenge step needs the number: never for a plain verify.
    let parsed: PhoneNumber | undefined;
    const parse = (): PhoneNumber => (parsed ??= this.parsePhoneNumber(phoneNumber));
    const risk = {
      failures: () => this.store.failedVerifications(parse().e164, deadline),
      guarded: () => this.fraudGuard.atRisk(parse(), deadline),
      country: () => parse().region ?? '001',
    };
    await this.challenge.admit('verify', challenge, risk, deadline);
    // A number written in E.164 is looked up as written first. The store holds state only under
    // a number the service parsed and accepted, so any state there proves the input valid and
    // already normalised: the parse (a fifth of a verification of a number not seen lately) is
    // only needed on a miss.
    const written = e164AsWritten(phoneNumber);
    if (written !== undefined) {
      const result = await this.check(written, code, deadline);
      if (result.outcome !== 'not_found') {
        return this.answer(written, result, deadline);
      }
    }
    const phone = this.parsePhoneNumber(phoneNumber);
    if (phone.e164 === written) throw new OtpNotFoundError();
    const result = await this.check(phone.e164, code, deadline);
    return this.answer(phone.e164, result, deadline);
  }

  private check(e164: string, code: string, deadline: RedisDeadline): Promise<VerifyResult> {
    const hash = hashOtpCode(this.settings.hashSecret, e164, code);
    return this.store.verify(e164, hash, this.verifyPolicy, deadline);
  }

  /** A test number's approval is left out of the fraud guard's counts and marked in its token. */
  private async answer(
    e164: string,
    result: VerifyResult,
    deadline: RedisDeadline,
    testNumber = false,
  ): Promise<OtpVerifyResult> {
    switch (result.outcome) {
      case 'approved': {
        const verificationId = result.verificationId ?? '';
        const [{ token, expiresInSeconds }] = await Promise.all([
          this.tokens.sign(e164, testNumber, verificationId),
          // The country its verification recorded; a code sent before records were kept has
          // none, and its number is parsed. A wrong code never needs either.
          !testNumber &&
            this.fraudGuard.approved(
              result.country ? { e164, region: result.country } : this.parsePhoneNumber(e164),
              deadline,
            ),
          this.events.verification('verification.approved', verificationId),
        ]);
        return {
          verificationId,
          status: 'approved',
          phoneNumber: e164,
          verificationToken: token,
          tokenExpiresInSeconds: expiresInSeconds,
        };
      }
      case 'not_found':
        throw new OtpNotFoundError();
      case 'incorrect':
        if (result.attemptsRemaining === 0) {
          await this.events.verification(
            'verification.max_attempts_reached',
            result.verificationId,
          );
        }
        throw new OtpIncorrectError(result.attemptsRemaining);
      case 'attempts_exceeded':
        throw new OtpAttemptsExceededError(this.waits.code(result.retryAfterMs));
      case 'locked':
        throw new PhoneLockedError(this.waits.lockout(result.retryAfterMs));
    }
  }

  /**
   * The fixed code of a test number becomes pending like any code, and nothing is sent. The
   * cooldown, send cap and country rules are skipped, so suites and reviewers are never refused;
   * the lockout is not (the store answers nothing else for a test number).
   */
  private async requestTestCode(
    e164: string,
    code: string,
    channel: OtpChannel,
    requestedLocale: string | undefined,
    deadline: RedisDeadline,
  ): Promise<OtpRequestResult> {
    const hash = hashOtpCode(this.settings.hashSecret, e164, code);
    const region = this.regionOf(e164);
    const locale = this.messages.resolveLocale(requestedLocale, region);
    const verification = this.newVerification(channel, locale, region, true);
    const policy = { ...this.issuePolicy, perNumberLimits: false };
    const issued = await this.store.issue(e164, hash, policy, verification, deadline);
    if (issued.outcome !== 'issued')
      throw new PhoneLockedError(this.waits.lockout(issued.retryAfterMs));
    await this.events.verification('verification.canceled', issued.canceled);
    await this.events.verification('verification.pending', verification.id);
    return this.pending(e164, verification, 0);
  }

  /** A test number need not be a dialable one; its country is then unknown. */
  private regionOf(e164: string): string | undefined {
    try {
      return this.parsePhoneNumber(e164).region;
    } catch {
      return undefined;
    }
  }
}

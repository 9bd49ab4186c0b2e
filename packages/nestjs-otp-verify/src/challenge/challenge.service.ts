import { Injectable, Logger } from '@nestjs/common';
import type { ChallengeState } from '../fraud/fraud-store.js';
import type { FraudGuardObserver } from '../fraud/fraud-guard-observer.js';
import {
  InjectFraudGuardObserver,
  InjectOtpSettings,
  InjectUsedCaptchaTokens,
} from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import { CaptchaFailedError, CaptchaRequiredError, OtpError } from '../otp.errors.js';
import type { ChallengeSettings } from './challenge-options.js';
import { CaptchaVerifier } from './captcha-verifier.js';
import type { UsedCaptchaTokens } from './used-captcha-tokens.js';
import type { RedisDeadline } from '../store/redis-deadline.js';

/** What the HTTP edge knows of a call, for the challenge step. */
export interface ChallengeContext {
  /** The client's `captchaToken`, if it sent one. */
  token?: string;
  /** The client's address, passed to the provider as `remoteip`. */
  clientIp?: string;
  /** `POST /otp/request` calls of this client in the throttler window, this one included. */
  clientRequests?: number;
}

export type CaptchaOutcome = 'required' | 'passed' | 'failed' | 'unavailable';

/** Why a challenge was asked for outside a send's admission by the fraud guard. */
type RiskTrigger = 'always' | 'client_requests' | 'number_failures' | 'fraud_guard';

/** What the service reads, only when it can decide, to tell whether a call is risky. */
export interface RiskReaders {
  /** The number's failed verifications in its lockout window. */
  failures(): Promise<number>;
  /**
   * For a verify: a quarantine of the number's prefix or country, or a global budget past 80 %.
   * A request learns that from its admission by the fraud guard instead.
   */
  guarded?(): Promise<boolean>;
  /** The number's country, for the decision's metric. */
  country(): string;
}

/**
 * The challenge step: a CAPTCHA asked for only when a call looks risky (or always, if so
 * configured). It never counts an attempt or sends anything; the service runs it first.
 */
@Injectable()
export class ChallengeService {
  private readonly logger = new Logger('Challenge');
  private readonly settings: ChallengeSettings;
  private readonly verifier: CaptchaVerifier;

  constructor(
    @InjectOtpSettings() { challenge }: OtpSettings,
    @InjectUsedCaptchaTokens() private readonly usedTokens: UsedCaptchaTokens,
    @InjectFraudGuardObserver() private readonly observer?: FraudGuardObserver,
  ) {
    this.settings = challenge;
    this.verifier = new CaptchaVerifier(challenge);
  }

  /**
   * Checks a presented token (`passed`), or refuses with `captcha_required` when a risk trigger
   * holds; otherwise `ask`: the fraud guard may still ask for one (`none` when challenges are off).
   */
  async admit(
    operation: 'request' | 'verify',
    context: ChallengeContext,
    risk: RiskReaders,
    deadline?: RedisDeadline,
  ): Promise<ChallengeState> {
    if (this.settings.mode === 'off') return 'none';
    if (context.token !== undefined) {
      await this.pass(context.token, context.clientIp, deadline);
      return 'passed';
    }
    const trigger = await this.triggerOf(operation, context, risk);
    if (trigger) {
      this.observer?.fraudGuardDecision({
        decision: 'challenged',
        country: risk.country(),
        trigger,
      });
      this.logger.log(`Challenge asked for a ${operation}: ${trigger.replace('_', ' ')}`);
      throw this.required();
    }
    return 'ask';
  }

  /** The answer to a call that needs a challenge and came without a token. */
  required(): CaptchaRequiredError {
    this.counted('required');
    return new CaptchaRequiredError({
      provider: this.settings.provider!,
      siteKey: this.settings.siteKey,
    });
  }

  private async triggerOf(
    operation: 'request' | 'verify',
    context: ChallengeContext,
    risk: RiskReaders,
  ): Promise<RiskTrigger | undefined> {
    if (operation === 'request') {
      if (this.settings.mode === 'always') return 'always';
      // The requests the client made before this one.
      if ((context.clientRequests ?? 0) - 1 >= this.settings.afterRequests) {
        return 'client_requests';
      }
    }
    if ((await risk.failures()) >= this.settings.afterFailures) return 'number_failures';
    return (await risk.guarded?.()) ? 'fraud_guard' : undefined;
  }

  private async pass(token: string, clientIp?: string, deadline?: RedisDeadline): Promise<void> {
    try {
      if (!(await this.usedTokens.claim(token, deadline))) {
        this.logger.warn('Challenge failed: the token was already used');
        throw new CaptchaFailedError();
      }
      if (!(await this.verifier.verify(token, clientIp))) {
        this.logger.warn(`Challenge failed: ${this.settings.provider} refused the token`);
        throw new CaptchaFailedError();
      }
    } catch (error) {
      if (error instanceof CaptchaFailedError) this.counted('failed');
      else if (error instanceof OtpError && error.code === 'captcha_unavailable') {
        this.counted('unavailable');
      }
      throw error;
    }
    this.counted('passed');
  }

  private counted(outcome: CaptchaOutcome): void {
    this.observer?.challengeOutcome?.(outcome);
  }
}

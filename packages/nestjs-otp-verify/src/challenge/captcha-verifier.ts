import { Logger } from '@nestjs/common';
import { CaptchaUnavailableError } from '../otp.errors.js';
import type { ChallengeSettings } from './challenge-options.js';

/** What the contract allows a provider before `captcha_unavailable`. */
export const CAPTCHA_VERIFY_TIMEOUT_MS = 3000;

/** The part of a siteverify answer the service reads; the three providers share it. */
interface SiteverifyAnswer {
  success?: unknown;
  /** reCAPTCHA v3 only. */
  score?: unknown;
}

/**
 * Asks the provider whether a token is good: Turnstile, hCaptcha and reCAPTCHA all take a form
 * POST of `secret`, `response` and `remoteip` and answer JSON with `success`. A reCAPTCHA v3 token
 * also carries a score. An expired or already redeemed token is `success: false`.
 */
export class CaptchaVerifier {
  private readonly logger = new Logger('Challenge');

  constructor(private readonly settings: ChallengeSettings) {}

  /** True if the provider accepts the token; throws `CaptchaUnavailableError` if it cannot say. */
  async verify(token: string, remoteIp?: string): Promise<boolean> {
    const form = new URLSearchParams({ secret: this.settings.secret, response: token });
    if (remoteIp) form.set('remoteip', remoteIp);
    let answer: SiteverifyAnswer;
    try {
      const response = await fetch(this.settings.verifyUrl, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(CAPTCHA_VERIFY_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`siteverify answered ${response.status}`);
      answer = (await response.json()) as SiteverifyAnswer;
    } catch (error) {
      this.logger.warn(
        `The ${this.settings.provider} siteverify API did not answer: ${(error as Error).name === 'TimeoutError' ? `no answer within ${CAPTCHA_VERIFY_TIMEOUT_MS} ms` : (error as Error).message}`,
      );
      throw new CaptchaUnavailableError();
    }
    if (answer.success !== true) return false;
    return typeof answer.score !== 'number' || answer.score >= this.settings.minScore;
  }
}

export type CaptchaProviderName = 'turnstile' | 'hcaptcha' | 'recaptcha';
export type ChallengeMode = 'risk' | 'always' | 'off';

/** `OtpModule` option `challenge`: a CAPTCHA asked for only when a request looks risky. */
export interface OtpChallengeOptions {
  provider?: CaptchaProviderName;
  /** The provider's secret key, sent to its siteverify API only. */
  secret?: string;
  /** The provider's site key, returned to clients in `captcha_required` answers. */
  siteKey?: string;
  /** Replaces the provider's siteverify URL (tests, proxies). */
  verifyUrl?: string;
  /** `risk` (the default with a provider), `always` (every request) or `off`. */
  mode?: ChallengeMode;
  /** reCAPTCHA v3: the lowest score that passes, 0 to 1. */
  minScore?: number;
  /** Failed verifications of a number in its lockout window before a challenge. */
  afterFailures?: number;
  /** Code requests of one client IP in the throttler window before a challenge. */
  afterRequests?: number;
}

export interface ChallengeSettings {
  /** `off` whenever no provider is configured. */
  mode: ChallengeMode;
  provider?: CaptchaProviderName;
  secret: string;
  siteKey: string;
  verifyUrl: string;
  minScore: number;
  afterFailures: number;
  afterRequests: number;
}

/** The integers of `OtpChallengeOptions`, already checked against `OTP_INTEGER_OPTIONS`. */
export interface ChallengeIntegers {
  afterFailures: number;
  afterRequests: number;
}

export const CAPTCHA_VERIFY_URLS: Record<CaptchaProviderName, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
};

export const CHALLENGE_DEFAULTS = { minScore: 0.5 } as const;

const MODES: readonly ChallengeMode[] = ['risk', 'always', 'off'];

/** Applies defaults and refuses a provider without its keys; host apps get no other check. */
export function resolveChallengeSettings(
  options: OtpChallengeOptions,
  integers: ChallengeIntegers,
): ChallengeSettings {
  const provider = options.provider;
  if (provider !== undefined && !(provider in CAPTCHA_VERIFY_URLS)) {
    throw new Error('OtpModule option challenge.provider must be turnstile, hcaptcha or recaptcha');
  }
  const mode = provider ? (options.mode ?? 'risk') : 'off';
  if (!MODES.includes(mode)) {
    throw new Error('OtpModule option challenge.mode must be risk, always or off');
  }
  if (provider && (!options.secret || !options.siteKey)) {
    throw new Error(`OtpModule option challenge.provider ${provider} needs secret and siteKey`);
  }
  const minScore = options.minScore ?? CHALLENGE_DEFAULTS.minScore;
  if (typeof minScore !== 'number' || !(minScore >= 0 && minScore <= 1)) {
    throw new Error('OtpModule option challenge.minScore must be from 0 to 1');
  }
  return {
    mode,
    provider,
    secret: options.secret ?? '',
    siteKey: options.siteKey ?? '',
    verifyUrl: options.verifyUrl ?? (provider ? CAPTCHA_VERIFY_URLS[provider] : ''),
    minScore,
    ...integers,
  };
}

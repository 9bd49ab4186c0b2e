import type { Cluster, Redis } from 'ioredis';
import { resolveOtpApiKeys, type OtpApiKeys, type OtpApiKeysOption } from './auth/api-keys.js';
import {
  resolveOtpTestNumbers,
  type OtpTestNumbers,
  type OtpTestNumbersOption,
} from './test-numbers/test-numbers.js';
import {
  resolveOtpTokenSettings,
  type OtpTokenOptions,
  type OtpTokenSettings,
} from './token/token-options.js';
import {
  resolveFraudGuardSettings,
  type FraudGuardSettings,
  type OtpFraudGuardOptions,
} from './fraud/fraud-guard-options.js';
import {
  resolveChallengeSettings,
  type ChallengeSettings,
  type OtpChallengeOptions,
} from './challenge/challenge-options.js';
import { DEFAULT_ALLOWED_NUMBER_TYPES, NUMBER_TYPES } from './phone/phone-number.js';
import {
  resolveVoiceSettings,
  voiceUnavailableReason,
  type OtpVoiceOptions,
  type VoiceSettings,
} from './voice/voice-options.js';
import {
  resolveWebhookSettings,
  type OtpWebhookOptions,
  type OtpWebhookSettings,
} from './events/webhook-options.js';
import { resolveMessageSettings } from './i18n/message-options.js';

/** Where codes and per-number counters live. Without one, the in-memory store (one process only). */
export type OtpRedisOptions =
  | { url: string; keyPrefix?: string }
  | { clusterNodes: { host: string; port: number }[]; keyPrefix?: string }
  | { client: Redis | Cluster; keyPrefix?: string };

export interface PlivoOptions {
  authId: string;
  authToken: string;
  sender: string;
  /** API root, without `/v1/Account/...`; defaults to Plivo's public API. */
  baseUrl?: string;
}

export interface SnsOptions {
  region?: string;
  /** Defaults to the SDK's own resolution (`AWS_ENDPOINT_URL_SNS`, then AWS's endpoint). */
  endpoint?: string;
  smsType?: 'Transactional' | 'Promotional';
  senderId?: string;
}

export type SmsProviderName = 'console' | 'plivo' | 'sns';

export interface OtpSmsOptions {
  provider?: SmsProviderName;
  fallbackProvider?: SmsProviderName;
  plivo?: PlivoOptions;
  sns?: SnsOptions;
  /** Retries of a transient failure, per provider. */
  maxRetries?: number;
  /** Provider calls per message at most, over every provider, retries and fallback included. */
  maxAttempts?: number;
  /** Deadline of one delivery, retries included, per provider. */
  timeoutMs?: number;
}

/** Per client IP, for each route of `OtpController`; shared by all instances on one Redis. */
export interface OtpRateLimitOptions {
  ttlSeconds?: number;
  /** `POST otp/request` per client per window. */
  requestLimit?: number;
  /** `POST otp/verify` per client per window. */
  verifyLimit?: number;
}

/** What a host application passes to `OtpModule.forRoot()`; every field but `hashSecret` has a default. */
export interface OtpModuleOptions {
  codeLength?: number;
  ttlSeconds?: number;
  maxAttempts?: number;
  resendCooldownSeconds?: number;
  maxSendsPerWindow?: number;
  sendWindowSeconds?: number;
  lockoutThreshold?: number;
  lockoutWindowSeconds?: number;
  /**
   * Key of the HMAC under which codes are stored: at least 32 bytes, the same on every instance.
   * Required: a secret made up per process would make every pending code fail after a restart.
   */
  hashSecret: string;
  /** ISO 3166 alpha-2 region for numbers written without `+`. */
  defaultCountry?: string;
  allowedCountries?: string[];
  blockedCountries?: string[];
  /** The default locale's SMS text (an ICU message with `{code}`), over its built-in one. */
  messageTemplate?: string;
  /** The operator's own SMS texts by locale (`{ fr: '...', 'pt-BR': '...' }`), over the built-in ones. */
  messageTemplates?: Record<string, string>;
  /** The language when neither the request nor the number's country decides (default `en`). */
  defaultLocale?: string;
  appName?: string;
  /** Host name for the WebOTP origin-bound line (`@example.com #123456`), so browsers fill the code. */
  webOtpDomain?: string;
  /** 11-character SMS Retriever hash of an Android app, appended so the app reads the code. */
  androidAppHash?: string;
  /**
   * Base URL at which providers reach this service (`https://otp.example.com`): the root under
   * which the host serves `otp/callbacks/...`, global prefix included. Needed by delivery
   * receipts and voice calls.
   */
  publicUrl?: string;
  redis?: OtpRedisOptions;
  sms?: OtpSmsOptions;
  rateLimit?: OtpRateLimitOptions;

  /** How the `verificationToken` of each approval is signed (see `OtpTokenOptions`). */
  token?: OtpTokenOptions;
  /** `name: key` pairs; when set, every `OtpController` call needs `Authorization: Bearer <key>`. */
  apiKeys?: OtpApiKeysOption;
  /** `number: code` pairs that send nothing and accept their fixed code; the lockout still applies. */
  testNumbers?: OtpTestNumbersOption;
  /** libphonenumber types that may receive codes; `['*']` allows every type and no-country numbers. */
  allowedNumberTypes?: string[];
  /** Prefix conversion guard, country budgets and the admin routes against SMS pumping. */
  fraudGuard?: OtpFraudGuardOptions;
  /** How long `GET otp/verifications/:id` answers after the verification was created. */
  verificationRetentionSeconds?: number;
  /** How long an `Idempotency-Key` of `POST otp/request` is remembered. */
  idempotencyTtlSeconds?: number;
  /** Signed events to the application's backend; without it nothing of them is loaded. */
  webhooks?: OtpWebhookOptions;
  /** A CAPTCHA (Turnstile, hCaptcha, reCAPTCHA) asked for when a request looks risky. */
  challenge?: OtpChallengeOptions;
  /** Calls that read the code (`channel: 'voice'`): they need Plivo and `publicUrl`. */
  voice?: OtpVoiceOptions;
  /**
   * A Redis whose `maxmemory-policy` is not `noeviction` may drop lockouts, send counts and
   * throttle blocks when memory runs short. `refuse` stops start-up; `warn` (the default) logs.
   */
  evictingRedis?: 'refuse' | 'warn';
}

export interface IntegerOption {
  default: number;
  min: number;
  max: number;
}

const DAY = 86_400;

/**
 * The one table of numeric defaults and bounds. `resolveOtpSettings` applies it to module
 * options; the standalone service builds its environment schema from it, so a variable out of
 * bounds is refused there with the variable's own name.
 */
export const OTP_INTEGER_OPTIONS = {
  codeLength: { default: 6, min: 4, max: 10 },
  ttlSeconds: { default: 300, min: 30, max: 3600 },
  maxAttempts: { default: 5, min: 1, max: 20 },
  resendCooldownSeconds: { default: 30, min: 0, max: DAY },
  maxSendsPerWindow: { default: 5, min: 1, max: 1_000_000 },
  sendWindowSeconds: { default: 3600, min: 1, max: 31 * DAY },
  lockoutThreshold: { default: 10, min: 1, max: 1_000_000 },
  lockoutWindowSeconds: { default: 1800, min: 1, max: 31 * DAY },
  'sms.maxRetries': { default: 2, min: 0, max: 10 },
  'sms.maxAttempts': { default: 3, min: 1, max: 10 },
  'sms.timeoutMs': { default: 10_000, min: 100, max: 120_000 },
  'rateLimit.ttlSeconds': { default: 300, min: 1, max: 31 * DAY },
  'rateLimit.requestLimit': { default: 10, min: 1, max: 1_000_000_000 },
  'rateLimit.verifyLimit': { default: 30, min: 1, max: 1_000_000_000 },
  'token.ttlSeconds': { default: 600, min: 60, max: DAY },
  'fraudGuard.prefixWindowSeconds': { default: 3600, min: 1, max: 31 * DAY },
  'fraudGuard.prefixMinSends': { default: 30, min: 1, max: 100_000_000 },
  'fraudGuard.countryMinSends': { default: 200, min: 10, max: 100_000_000 },
  'fraudGuard.prefixQuarantineSeconds': { default: 43_200, min: 1, max: 31 * DAY },
  // Never shorter than a code's longest life: a pending code always finds its verification.
  verificationRetentionSeconds: { default: DAY, min: 3600, max: 31 * DAY },
  idempotencyTtlSeconds: { default: DAY, min: 60, max: 31 * DAY },
  'webhooks.retryHours': { default: 24, min: 1, max: 7 * 24 },
  'challenge.afterFailures': { default: 2, min: 1, max: 1_000_000 },
  'challenge.afterRequests': { default: 3, min: 1, max: 1_000_000_000 },
  'voice.maxCallsPerWindow': { default: 2, min: 1, max: 1_000_000 },
} as const satisfies Record<string, IntegerOption>;

export type IntegerOptionName = keyof typeof OTP_INTEGER_OPTIONS;

export const OTP_DEFAULTS = {
  appName: 'OTP',
  keyPrefix: 'otp:',
  smsProvider: 'console',
} as const;

/** The options with every default applied: the one object the module's providers inject. */
export interface OtpSettings {
  codeLength: number;
  ttlSeconds: number;
  maxAttempts: number;
  resendCooldownSeconds: number;
  maxSendsPerWindow: number;
  sendWindowSeconds: number;
  lockoutThreshold: number;
  lockoutWindowSeconds: number;
  hashSecret: string;
  defaultCountry?: string;
  allowedCountries: string[];
  blockedCountries: string[];
  /** Has a text: built in, or among `messageTemplates`. */
  defaultLocale: string;
  /** By canonical locale, `messageTemplate` included under the default locale; each one parses. */
  messageTemplates: Readonly<Record<string, string>>;
  appName: string;
  webOtpDomain?: string;
  androidAppHash?: string;
  /** Without a trailing slash. Unset: no receipts and no voice. */
  publicUrl?: string;
  /** Unset: the in-memory store. */
  redis?: OtpRedisOptions;
  keyPrefix: string;
  sms: {
    provider: SmsProviderName;
    fallbackProvider?: SmsProviderName;
    plivo?: PlivoOptions;
    sns: SnsOptions;
    maxRetries: number;
    maxAttempts: number;
    timeoutMs: number;
  };
  rateLimit: Required<OtpRateLimitOptions>;
  token: OtpTokenSettings;
  apiKeys: OtpApiKeys;
  testNumbers: OtpTestNumbers;
  allowedNumberTypes: string[];
  fraudGuard: FraudGuardSettings;
  challenge: ChallengeSettings;
  evictingRedis: 'refuse' | 'warn';
  verificationRetentionSeconds: number;
  idempotencyTtlSeconds: number;
  /** Unset: no events. */
  webhooks?: OtpWebhookSettings;
  voice: VoiceSettings;
}

/** Reads one integer option, applying its default and refusing it out of bounds. */
function integerOption(name: IntegerOptionName, value: number | undefined): number {
  const { default: fallback, min, max } = OTP_INTEGER_OPTIONS[name];
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new Error(`OtpModule option ${name} must be an integer from ${min} to ${max}`);
  }
  return resolved;
}

export const HASH_SECRET_MIN_BYTES = 32;

/** The HMAC key must outlive the process and be shared by every instance, so none is made up. */
function hashSecretOf(secret: string | undefined): string {
  if (typeof secret !== 'string' || Buffer.byteLength(secret) < HASH_SECRET_MIN_BYTES) {
    throw new Error(
      `OtpModule option hashSecret is required, at least ${HASH_SECRET_MIN_BYTES} bytes and the same on every instance: codes are stored as HMACs under it, so a secret made up per process would fail every pending code after a restart or on another instance`,
    );
  }
  return secret;
}

/** A URL a provider can call back: http(s), no query or fragment; kept without a trailing slash. */
function publicUrlOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new Error('OtpModule option publicUrl must be an http(s) URL without query or fragment');
  }
  return value.replace(/\/+$/, '');
}

/**
 * Applies defaults and refuses settings the service cannot honour, once, at start-up. Host
 * applications reach this without the standalone service's environment validation.
 */
export function resolveOtpSettings(options: OtpModuleOptions): OtpSettings {
  const codeLength = integerOption('codeLength', options.codeLength);
  const defaultCountry = options.defaultCountry?.toUpperCase();
  const settings: OtpSettings = {
    codeLength,
    ttlSeconds: integerOption('ttlSeconds', options.ttlSeconds),
    maxAttempts: integerOption('maxAttempts', options.maxAttempts),
    resendCooldownSeconds: integerOption('resendCooldownSeconds', options.resendCooldownSeconds),
    maxSendsPerWindow: integerOption('maxSendsPerWindow', options.maxSendsPerWindow),
    sendWindowSeconds: integerOption('sendWindowSeconds', options.sendWindowSeconds),
    lockoutThreshold: integerOption('lockoutThreshold', options.lockoutThreshold),
    lockoutWindowSeconds: integerOption('lockoutWindowSeconds', options.lockoutWindowSeconds),
    hashSecret: hashSecretOf(options.hashSecret),
    defaultCountry,
    allowedCountries: (options.allowedCountries ?? []).map((c) => c.toUpperCase()),
    blockedCountries: (options.blockedCountries ?? []).map((c) => c.toUpperCase()),
    ...resolveMessageSettings(options),
    appName: options.appName ?? OTP_DEFAULTS.appName,
    webOtpDomain: options.webOtpDomain,
    androidAppHash: options.androidAppHash,
    publicUrl: publicUrlOf(options.publicUrl),
    redis: options.redis,
    keyPrefix: options.redis?.keyPrefix ?? OTP_DEFAULTS.keyPrefix,
    sms: {
      provider: options.sms?.provider ?? OTP_DEFAULTS.smsProvider,
      fallbackProvider: options.sms?.fallbackProvider,
      plivo: options.sms?.plivo,
      sns: options.sms?.sns ?? {},
      maxRetries: integerOption('sms.maxRetries', options.sms?.maxRetries),
      maxAttempts: integerOption('sms.maxAttempts', options.sms?.maxAttempts),
      timeoutMs: integerOption('sms.timeoutMs', options.sms?.timeoutMs),
    },
    rateLimit: {
      ttlSeconds: integerOption('rateLimit.ttlSeconds', options.rateLimit?.ttlSeconds),
      requestLimit: integerOption('rateLimit.requestLimit', options.rateLimit?.requestLimit),
      verifyLimit: integerOption('rateLimit.verifyLimit', options.rateLimit?.verifyLimit),
    },
    token: resolveOtpTokenSettings(
      options.token ?? {},
      integerOption('token.ttlSeconds', options.token?.ttlSeconds),
    ),
    apiKeys: resolveOtpApiKeys(options.apiKeys),
    testNumbers: resolveOtpTestNumbers(options.testNumbers, codeLength, defaultCountry),
    allowedNumberTypes: (options.allowedNumberTypes ?? DEFAULT_ALLOWED_NUMBER_TYPES).map((t) =>
      t.toUpperCase(),
    ),
    evictingRedis: options.evictingRedis ?? 'warn',
    verificationRetentionSeconds: integerOption(
      'verificationRetentionSeconds',
      options.verificationRetentionSeconds,
    ),
    idempotencyTtlSeconds: integerOption('idempotencyTtlSeconds', options.idempotencyTtlSeconds),
    webhooks:
      options.webhooks &&
      resolveWebhookSettings(
        options.webhooks,
        integerOption('webhooks.retryHours', options.webhooks.retryHours),
      ),
    voice: resolveVoiceSettings(
      options.voice ?? {},
      integerOption('voice.maxCallsPerWindow', options.voice?.maxCallsPerWindow),
    ),
    challenge: resolveChallengeSettings(options.challenge ?? {}, {
      afterFailures: integerOption('challenge.afterFailures', options.challenge?.afterFailures),
      afterRequests: integerOption('challenge.afterRequests', options.challenge?.afterRequests),
    }),
    fraudGuard: resolveFraudGuardSettings(options.fraudGuard ?? {}, {
      prefixWindowSeconds: integerOption(
        'fraudGuard.prefixWindowSeconds',
        options.fraudGuard?.prefixWindowSeconds,
      ),
      prefixMinSends: integerOption(
        'fraudGuard.prefixMinSends',
        options.fraudGuard?.prefixMinSends,
      ),
      countryMinSends: integerOption(
        'fraudGuard.countryMinSends',
        options.fraudGuard?.countryMinSends,
      ),
      prefixQuarantineSeconds: integerOption(
        'fraudGuard.prefixQuarantineSeconds',
        options.fraudGuard?.prefixQuarantineSeconds,
      ),
    }),
  };
  const knownTypes: readonly string[] = [...NUMBER_TYPES, '*'];
  if (!settings.allowedNumberTypes.every((type) => knownTypes.includes(type))) {
    throw new Error(`OtpModule option allowedNumberTypes takes * or ${NUMBER_TYPES.join(', ')}`);
  }
  const noVoice = settings.voice.fallback === 'undelivered' && voiceUnavailableReason(settings);
  if (noVoice) throw new Error(`OtpModule option voice.fallback undelivered: ${noVoice}`);
  if (settings.webOtpDomain !== undefined && !/^[a-z0-9.-]+$/i.test(settings.webOtpDomain)) {
    throw new Error('OtpModule option webOtpDomain must be a bare host name (example.com)');
  }
  if (
    settings.androidAppHash !== undefined &&
    !/^[A-Za-z0-9+/]{11}$/.test(settings.androidAppHash)
  ) {
    throw new Error('OtpModule option androidAppHash must be the 11-character app hash');
  }
  return settings;
}

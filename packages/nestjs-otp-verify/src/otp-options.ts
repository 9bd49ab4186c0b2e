import type { Cluster, Redis } from 'ioredis';

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
  /** Deadline of one delivery, retries included, per provider. */
  timeoutMs?: number;
}

/** Per client IP, for each route of `OtpController`; shared by all instances on one Redis. */
export interface OtpRateLimitOptions {
  ttlSeconds?: number;
  /** `POST /api/otp/request` per client per window. */
  requestLimit?: number;
  /** `POST /api/otp/verify` per client per window. */
  verifyLimit?: number;
}

/** What a host application passes to `OtpModule.forRoot()`; every field has a default. */
export interface OtpModuleOptions {
  codeLength?: number;
  ttlSeconds?: number;
  maxAttempts?: number;
  resendCooldownSeconds?: number;
  maxSendsPerWindow?: number;
  sendWindowSeconds?: number;
  lockoutThreshold?: number;
  lockoutWindowSeconds?: number;
  /** Key of the HMAC under which codes are stored. Random per process when omitted. */
  hashSecret?: string;
  /** ISO 3166 alpha-2 region for numbers written without `+`. */
  defaultCountry?: string;
  allowedCountries?: string[];
  blockedCountries?: string[];
  messageTemplate?: string;
  appName?: string;
  /** Host name for the WebOTP origin-bound line (`@example.com #123456`), so browsers fill the code. */
  webOtpDomain?: string;
  /** 11-character SMS Retriever hash of an Android app, appended so the app reads the code. */
  androidAppHash?: string;
  redis?: OtpRedisOptions;
  sms?: OtpSmsOptions;
  rateLimit?: OtpRateLimitOptions;
  /**
   * A Redis whose `maxmemory-policy` is not `noeviction` may drop lockouts, send counts and
   * throttle blocks when memory runs short. `refuse` stops start-up; `warn` (the default) logs.
   */
  evictingRedis?: 'refuse' | 'warn';
}

export const DEFAULT_MESSAGE_TEMPLATE =
  'Your {appName} verification code is {code}. It expires in {minutes} minutes.';

export const OTP_DEFAULTS = {
  codeLength: 6,
  ttlSeconds: 300,
  maxAttempts: 5,
  resendCooldownSeconds: 30,
  maxSendsPerWindow: 5,
  sendWindowSeconds: 3600,
  lockoutThreshold: 10,
  lockoutWindowSeconds: 1800,
  messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
  appName: 'OTP',
  keyPrefix: 'otp:',
  smsMaxRetries: 2,
  smsTimeoutMs: 10_000,
  rateLimit: { ttlSeconds: 300, requestLimit: 10, verifyLimit: 30 },
} as const;

/** The options with every default applied: what the module's own providers receive. */
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
  messageTemplate: string;
  appName: string;
  webOtpDomain?: string;
  androidAppHash?: string;
  rateLimit: Required<OtpRateLimitOptions>;
}

export const OTP_SETTINGS = Symbol('OTP_SETTINGS');

/**
 * Applies defaults and refuses settings the service cannot honour. Host applications reach this
 * without the environment validation of the standalone service, so the bounds are checked here too.
 */
export function resolveOtpSettings(
  options: OtpModuleOptions,
  randomSecret: () => string,
): OtpSettings {
  const settings: OtpSettings = {
    codeLength: options.codeLength ?? OTP_DEFAULTS.codeLength,
    ttlSeconds: options.ttlSeconds ?? OTP_DEFAULTS.ttlSeconds,
    maxAttempts: options.maxAttempts ?? OTP_DEFAULTS.maxAttempts,
    resendCooldownSeconds: options.resendCooldownSeconds ?? OTP_DEFAULTS.resendCooldownSeconds,
    maxSendsPerWindow: options.maxSendsPerWindow ?? OTP_DEFAULTS.maxSendsPerWindow,
    sendWindowSeconds: options.sendWindowSeconds ?? OTP_DEFAULTS.sendWindowSeconds,
    lockoutThreshold: options.lockoutThreshold ?? OTP_DEFAULTS.lockoutThreshold,
    lockoutWindowSeconds: options.lockoutWindowSeconds ?? OTP_DEFAULTS.lockoutWindowSeconds,
    hashSecret: options.hashSecret ?? randomSecret(),
    defaultCountry: options.defaultCountry?.toUpperCase(),
    allowedCountries: (options.allowedCountries ?? []).map((c) => c.toUpperCase()),
    blockedCountries: (options.blockedCountries ?? []).map((c) => c.toUpperCase()),
    messageTemplate: options.messageTemplate ?? OTP_DEFAULTS.messageTemplate,
    appName: options.appName ?? OTP_DEFAULTS.appName,
    webOtpDomain: options.webOtpDomain,
    androidAppHash: options.androidAppHash,
    rateLimit: {
      ttlSeconds: options.rateLimit?.ttlSeconds ?? OTP_DEFAULTS.rateLimit.ttlSeconds,
      requestLimit: options.rateLimit?.requestLimit ?? OTP_DEFAULTS.rateLimit.requestLimit,
      verifyLimit: options.rateLimit?.verifyLimit ?? OTP_DEFAULTS.rateLimit.verifyLimit,
    },
  };
  const bounds: [keyof OtpSettings, number, number][] = [
    ['codeLength', 4, 10],
    ['ttlSeconds', 30, 3600],
    ['maxAttempts', 1, 20],
    ['resendCooldownSeconds', 0, 86400],
    ['maxSendsPerWindow', 1, 1_000_000],
    ['sendWindowSeconds', 1, 31 * 86400],
    ['lockoutThreshold', 1, 1_000_000],
    ['lockoutWindowSeconds', 1, 31 * 86400],
  ];
  for (const [name, min, max] of bounds) {
    const value = settings[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`OtpModule option ${name} must be an integer from ${min} to ${max}`);
    }
  }
  for (const [name, value] of Object.entries(settings.rateLimit)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`OtpModule option rateLimit.${name} must be a positive integer`);
    }
  }
  if (!settings.messageTemplate.includes('{code}')) {
    throw new Error('OtpModule option messageTemplate must contain {code}');
  }
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

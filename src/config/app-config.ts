import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { OtpFraudGuardOptions, OtpModuleOptions, OtpRedisOptions } from 'nestjs-otp-verify';
import { developmentSecrets } from './development-secrets.js';
import { Environment } from './environment.js';
import { messageTemplatesFile } from './message-templates-file.js';
import { trustOptionsOf } from './trust-config.js';

/** The validated, typed configuration of the standalone service. */
export interface AppConfig {
  port: number;
  /** Serve `/metrics` on this port alone; unset: on `port` with the API. */
  metricsPort?: number;
  nodeEnv: string;
  logLevel: string;
  /** Fastify's `trustProxy`: which proxies' X-Forwarded-For to believe. */
  trustProxy: boolean | number | string[];
  otp: OtpModuleOptions;
  /** Web origins allowed to call from a browser; empty means no CORS headers at all. */
  corsOrigins: string[];
  /** Logged once at start-up: what the service made up because it was not configured. */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const messagesOf = (errors: ValidationError[]): string[] =>
  errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}),
    ...messagesOf(error.children ?? []),
  ]);

function parseTrustProxy(value: string): AppConfig['trustProxy'] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((item) => item.trim());
}

function redisOptions(env: Environment): OtpRedisOptions | undefined {
  const keyPrefix = env.REDIS_KEY_PREFIX;
  if (env.REDIS_CLUSTER_NODES?.length) {
    const clusterNodes = env.REDIS_CLUSTER_NODES.map((node) => {
      const [host, port] = node.split(':');
      return { host, port: Number(port) };
    });
    return { clusterNodes, keyPrefix };
  }
  return env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix } : undefined;
}

/** `GB=5000,*=1000` as the module's `countrySendLimits`; a positive number each, validated above. */
function countrySendLimits(value: string | undefined): Record<string, number> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(
    value.split(',').map((pair) => {
      const [country, limit] = pair.split('=');
      return [country.toUpperCase(), Number(limit)];
    }),
  );
}

/** `hour=1000,day=10000` (either or both) or `unlimited`, as validated above. */
function globalSendLimits(value: string | undefined): OtpFraudGuardOptions['globalSendLimits'] {
  if (!value || value === 'unlimited') return value as 'unlimited' | undefined;
  return Object.fromEntries(
    value.split(',').map((pair) => {
      const [window, limit] = pair.split('=');
      return [window, Number(limit)];
    }),
  );
}

function fraudGuardOptions(env: Environment): OtpFraudGuardOptions {
  return {
    mode: env.OTP_FRAUD_GUARD,
    prefixDigits: env.OTP_PREFIX_DIGITS,
    prefixWindowSeconds: env.OTP_PREFIX_WINDOW_SECONDS,
    prefixMinSends: env.OTP_PREFIX_MIN_SENDS,
    countryMinSends: env.OTP_COUNTRY_MIN_SENDS,
    prefixMinConversion: env.OTP_PREFIX_MIN_CONVERSION,
    prefixQuarantineSeconds: env.OTP_PREFIX_QUARANTINE_SECONDS,
    safePrefixes: env.OTP_SAFE_PREFIXES,
    countrySendLimits: countrySendLimits(env.OTP_COUNTRY_SEND_LIMITS),
    globalSendLimits: globalSendLimits(env.OTP_GLOBAL_SEND_LIMITS),
    adminApiKey: env.OTP_ADMIN_API_KEY,
  };
}

/** What production refuses: each is safe on a laptop and unsafe facing real users. */
function productionProblems(env: Environment): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES?.length) {
    problems.push(
      'NODE_ENV=production needs REDIS_URL or REDIS_CLUSTER_NODES: the in-memory store loses codes on restart and is not shared between instances',
    );
  }
  if (env.SMS_PROVIDER === 'console' || env.SMS_FALLBACK_PROVIDER === 'console') {
    problems.push(
      'NODE_ENV=production needs SMS_PROVIDER (and SMS_FALLBACK_PROVIDER, if set) to be plivo or sns: console only logs the message',
    );
  }
  if (Buffer.byteLength(env.OTP_HASH_SECRET ?? '') < 32) {
    problems.push('NODE_ENV=production needs OTP_HASH_SECRET of at least 32 bytes');
  }
  if (!env.OTP_TOKEN_PRIVATE_KEY) {
    problems.push(
      'NODE_ENV=production needs OTP_TOKEN_PRIVATE_KEY: a key generated per process signs tokens no other instance can vouch for',
    );
  }
  if (
    env.OTP_PUBLIC_URL !== undefined &&
    !env.OTP_PUBLIC_URL.toLowerCase().startsWith('https://')
  ) {
    problems.push('NODE_ENV=production needs an https:// OTP_PUBLIC_URL');
  }
  if (env.OTP_WEBHOOK_URLS?.some((url) => !url.toLowerCase().startsWith('https://'))) {
    problems.push('NODE_ENV=production needs https:// URLs in OTP_WEBHOOK_URLS');
  }
  if (!env.OTP_ALLOWED_COUNTRIES?.length) {
    problems.push(
      'NODE_ENV=production needs OTP_ALLOWED_COUNTRIES: the countries codes may be sent to, or * for every country',
    );
  }
  if (!env.OTP_GLOBAL_SEND_LIMITS) {
    problems.push(
      'NODE_ENV=production needs OTP_GLOBAL_SEND_LIMITS: hour=n,day=n caps on all sends together, or unlimited',
    );
  }
  return problems;
}

function webhookOptions(env: Environment): OtpModuleOptions['webhooks'] {
  if (!env.OTP_WEBHOOK_URLS?.length || !env.OTP_WEBHOOK_SECRET) return undefined;
  return {
    urls: env.OTP_WEBHOOK_URLS,
    secret: env.OTP_WEBHOOK_SECRET,
    retryHours: env.OTP_WEBHOOK_RETRY_HOURS,
  };
}

/**
 * Reads and validates the environment once, at start-up. Empty variables count as unset, as
 * they do in most deployment tools.
 */
export function loadAppConfig(source: NodeJS.ProcessEnv): AppConfig {
  const defined = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = plainToInstance(Environment, defined, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const problems = messagesOf(validateSync(env, { forbidUnknownValues: false }));
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    problems.push('METRICS_PORT must differ from PORT');
  }
  if (env.REDIS_URL && env.REDIS_CLUSTER_NODES?.length) {
    problems.push('Set either REDIS_URL or REDIS_CLUSTER_NODES, not both');
  }
  problems.push(...productionProblems(env));
  if (
    env.OTP_VOICE_FALLBACK === 'undelivered' &&
    (!env.OTP_PUBLIC_URL || (env.SMS_PROVIDER !== 'plivo' && env.SMS_FALLBACK_PROVIDER !== 'plivo'))
  ) {
    problems.push(
      'OTP_VOICE_FALLBACK=undelivered needs OTP_PUBLIC_URL and plivo as SMS_PROVIDER or SMS_FALLBACK_PROVIDER',
    );
  }
  if (env.OTP_HASH_SECRET !== undefined && Buffer.byteLength(env.OTP_HASH_SECRET) < 32) {
    if (env.NODE_ENV !== 'production') problems.push('OTP_HASH_SECRET must be at least 32 bytes');
  }
  const trust = trustOptionsOf(env);
  problems.push(...trust.problems);
  const messageTemplates = messageTemplatesFile(env.OTP_MESSAGE_TEMPLATES, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  // Production was refused above without either; only development gets made-up keys.
  const secrets = developmentSecrets(env, trust.options.token?.privateKey);

  return {
    port: env.PORT,
    metricsPort: env.METRICS_PORT,
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    corsOrigins: env.OTP_CORS_ORIGINS ?? [],
    warnings: secrets.warnings,
    otp: {
      codeLength: env.OTP_LENGTH,
      ttlSeconds: env.OTP_TTL_SECONDS,
      maxAttempts: env.OTP_MAX_ATTEMPTS,
      resendCooldownSeconds: env.OTP_RESEND_COOLDOWN_SECONDS,
      maxSendsPerWindow: env.OTP_MAX_SENDS_PER_WINDOW,
      sendWindowSeconds: env.OTP_SEND_WINDOW_SECONDS,
      lockoutThreshold: env.OTP_LOCKOUT_THRESHOLD,
      lockoutWindowSeconds: env.OTP_LOCKOUT_WINDOW_SECONDS,
      hashSecret: secrets.hashSecret,
      defaultCountry: env.OTP_DEFAULT_COUNTRY,
      // `*` is the explicit choice of what an empty list means: every country.
      allowedCountries: env.OTP_ALLOWED_COUNTRIES?.filter((country) => country !== '*'),
      blockedCountries: env.OTP_BLOCKED_COUNTRIES,
      messageTemplate: env.OTP_MESSAGE_TEMPLATE,
      messageTemplates,
      defaultLocale: env.OTP_DEFAULT_LOCALE,
      appName: env.OTP_APP_NAME,
      webOtpDomain: env.OTP_WEBOTP_DOMAIN,
      androidAppHash: env.OTP_ANDROID_APP_HASH,
      publicUrl: env.OTP_PUBLIC_URL && `${env.OTP_PUBLIC_URL.replace(/\/+$/, '')}/api`,
      redis: redisOptions(env),
      rateLimit: {
        ttlSeconds: env.RATE_LIMIT_TTL_SECONDS,
        requestLimit: env.RATE_LIMIT_REQUEST_LIMIT,
        verifyLimit: env.RATE_LIMIT_VERIFY_LIMIT,
      },
      evictingRedis: env.NODE_ENV === 'production' ? 'refuse' : 'warn',
      sms: {
        provider: env.SMS_PROVIDER,
        fallbackProvider: env.SMS_FALLBACK_PROVIDER,
        maxRetries: env.SMS_MAX_RETRIES,
        maxAttempts: env.SMS_MAX_ATTEMPTS,
        timeoutMs: env.SMS_TIMEOUT_MS,
        plivo: env.PLIVO_AUTH_ID
          ? {
              authId: env.PLIVO_AUTH_ID,
              authToken: env.PLIVO_AUTH_TOKEN ?? '',
              sender: env.PLIVO_SENDER ?? '',
              baseUrl: env.PLIVO_BASE_URL,
            }
          : undefined,
        sns: {
          region: env.AWS_REGION,
          endpoint: env.AWS_ENDPOINT_URL_SNS,
          smsType: env.SNS_SMS_TYPE,
          senderId: env.SNS_SENDER_ID,
        },
      },
      ...trust.options,
      token: { ...trust.options.token, privateKey: secrets.tokenPrivateKey },
      allowedNumberTypes: env.OTP_ALLOWED_NUMBER_TYPES,
      fraudGuard: fraudGuardOptions(env),
      verificationRetentionSeconds: env.OTP_VERIFICATION_RETENTION_SECONDS,
      idempotencyTtlSeconds: env.OTP_IDEMPOTENCY_TTL_SECONDS,
      webhooks: webhookOptions(env),
      voice: { maxCallsPerWindow: env.OTP_MAX_CALLS_PER_WINDOW, fallback: env.OTP_VOICE_FALLBACK },
      challenge: {
        provider: env.OTP_CAPTCHA_PROVIDER,
        secret: env.OTP_CAPTCHA_SECRET,
        siteKey: env.OTP_CAPTCHA_SITE_KEY,
        verifyUrl: env.OTP_CAPTCHA_VERIFY_URL,
        mode: env.OTP_CAPTCHA,
        minScore: env.OTP_CAPTCHA_MIN_SCORE,
        afterFailures: env.OTP_CAPTCHA_AFTER_FAILURES,
        afterRequests: env.OTP_CAPTCHA_AFTER_REQUESTS,
      },
    },
  };
}

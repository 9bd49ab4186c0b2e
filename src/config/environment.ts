// Implicit conversion reads the declared property types from decorator metadata.
import 'reflect-metadata';
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsUrl,
  IsIn,
  IsNumber,
  IsInt,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  OTP_DEFAULTS,
  OTP_INTEGER_OPTIONS,
  OTP_TOKEN_DEFAULTS,
  NUMBER_TYPES,
  PREFIX_DIGITS,
  type IntegerOptionName,
} from 'nestjs-otp-verify';

const SMS_PROVIDERS = ['console', 'plivo', 'sns'] as const;
const CAPTCHA_PROVIDERS = ['turnstile', 'hcaptcha', 'recaptcha'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const list = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;
const upperList = ({ value }: { value: unknown }): unknown => {
  const items = list({ value });
  return Array.isArray(items) ? items.map((item: string) => item.toUpperCase()) : items;
};
/** The module's own bounds, so the variable is refused here, by its name, and never later. */
const Bounded = (option: IntegerOptionName): PropertyDecorator =>
  applyDecorators(
    IsInt(),
    Min(OTP_INTEGER_OPTIONS[option].min),
    Max(OTP_INTEGER_OPTIONS[option].max),
  );
const defaultOf = (option: IntegerOptionName): number => OTP_INTEGER_OPTIONS[option].default;
const NUMBER_TYPE_NAMES = [...NUMBER_TYPES, '*'];
const usesProvider = (env: Environment, name: string): boolean =>
  env.SMS_PROVIDER === name || env.SMS_FALLBACK_PROVIDER === name;

/**
 * Every environment variable the service reads, with its default and its rule. class-validator
 * messages name the variable and the rule, never the value, so a bad secret is not echoed.
 */
export class Environment {
  @IsInt() @Min(1) @Max(65535) PORT: number = 3000;
  @IsOptional() @IsInt() @Min(1) @Max(65535) METRICS_PORT?: number;
  @IsIn(['development', 'production', 'test']) NODE_ENV: string = 'development';

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL?: string;
  @IsOptional()
  @Transform(list)
  @Matches(/^[^\s:]+:\d{1,5}$/, {
    each: true,
    message: 'REDIS_CLUSTER_NODES must be host:port,host:port,...',
  })
  REDIS_CLUSTER_NODES?: string[];
  @IsString() @MaxLength(64) REDIS_KEY_PREFIX: string = OTP_DEFAULTS.keyPrefix;

  @Bounded('codeLength') OTP_LENGTH: number = defaultOf('codeLength');
  @Bounded('ttlSeconds') OTP_TTL_SECONDS: number = defaultOf('ttlSeconds');
  @Bounded('maxAttempts') OTP_MAX_ATTEMPTS: number = defaultOf('maxAttempts');
  @Bounded('resendCooldownSeconds') OTP_RESEND_COOLDOWN_SECONDS: number =
    defaultOf('resendCooldownSeconds');
  @Bounded('maxSendsPerWindow') OTP_MAX_SENDS_PER_WINDOW: number = defaultOf('maxSendsPerWindow');
  @Bounded('sendWindowSeconds') OTP_SEND_WINDOW_SECONDS: number = defaultOf('sendWindowSeconds');
  @Bounded('lockoutThreshold') OTP_LOCKOUT_THRESHOLD: number = defaultOf('lockoutThreshold');
  @Bounded('lockoutWindowSeconds') OTP_LOCKOUT_WINDOW_SECONDS: number =
    defaultOf('lockoutWindowSeconds');
  // At least 32 bytes, checked in app-config.ts, since a length in characters is not one in bytes.
  @IsOptional() @IsString() OTP_HASH_SECRET?: string;
  @IsOptional()
  @IsISO31661Alpha2()
  @Transform(({ value }) => String(value).toUpperCase())
  OTP_DEFAULT_COUNTRY?: string;
  @IsOptional()
  @Transform(upperList)
  @ValidateIf((env: Environment) => env.OTP_ALLOWED_COUNTRIES?.join() !== '*')
  @IsISO31661Alpha2({
    each: true,
    message: 'OTP_ALLOWED_COUNTRIES must be ISO 3166 alpha-2 codes, or * for every country',
  })
  OTP_ALLOWED_COUNTRIES?: string[];
  @IsOptional()
  @Transform(upperList)
  @IsISO31661Alpha2({ each: true })
  OTP_BLOCKED_COUNTRIES?: string[];
  // Unset: the built-in text of the default locale. ICU syntax is checked by the module.
  @IsOptional()
  @IsString()
  @Matches(/\{code\}/, { message: 'OTP_MESSAGE_TEMPLATE must contain {code}' })
  OTP_MESSAGE_TEMPLATE?: string;
  /** Read at start-up by app-config.ts: a JSON object of SMS texts by locale. */
  @IsOptional() @IsString() OTP_MESSAGE_TEMPLATES?: string;
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/, {
    message: 'OTP_DEFAULT_LOCALE must be a BCP 47 tag (en, fr, pt-BR)',
  })
  OTP_DEFAULT_LOCALE?: string;
  @IsString() @MaxLength(32) OTP_APP_NAME: string = OTP_DEFAULTS.appName;
  @IsOptional()
  @Matches(/^[a-z0-9.-]+$/i, {
    message: 'OTP_WEBOTP_DOMAIN must be a bare host name (example.com)',
  })
  OTP_WEBOTP_DOMAIN?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{11}$/, {
    message: 'OTP_ANDROID_APP_HASH must be the 11-character app hash',
  })
  OTP_ANDROID_APP_HASH?: string;
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'OTP_PUBLIC_URL must be an http(s) URL' },
  )
  OTP_PUBLIC_URL?: string;

  @IsIn(SMS_PROVIDERS) SMS_PROVIDER: (typeof SMS_PROVIDERS)[number] = OTP_DEFAULTS.smsProvider;
  @IsOptional() @IsIn(SMS_PROVIDERS) SMS_FALLBACK_PROVIDER?: (typeof SMS_PROVIDERS)[number];
  @Bounded('sms.maxRetries') SMS_MAX_RETRIES: number = defaultOf('sms.maxRetries');
  @Bounded('sms.maxAttempts') SMS_MAX_ATTEMPTS: number = defaultOf('sms.maxAttempts');
  @Bounded('sms.timeoutMs') SMS_TIMEOUT_MS: number = defaultOf('sms.timeoutMs');
  @ValidateIf((env: Environment) => usesProvider(env, 'plivo'))
  @IsString({
    message: 'PLIVO_AUTH_ID is required when SMS_PROVIDER or SMS_FALLBACK_PROVIDER is plivo',
  })
  PLIVO_AUTH_ID?: string;
  @ValidateIf((env: Environment) => usesProvider(env, 'plivo'))
  @IsString({
    message: 'PLIVO_AUTH_TOKEN is required when SMS_PROVIDER or SMS_FALLBACK_PROVIDER is plivo',
  })
  PLIVO_AUTH_TOKEN?: string;
  @ValidateIf((env: Environment) => usesProvider(env, 'plivo'))
  @IsString({
    message: 'PLIVO_SENDER is required when SMS_PROVIDER or SMS_FALLBACK_PROVIDER is plivo',
  })
  PLIVO_SENDER?: string;
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'PLIVO_BASE_URL must be an http(s) URL' })
  PLIVO_BASE_URL?: string;
  @IsOptional() @IsString() AWS_REGION?: string;
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'AWS_ENDPOINT_URL_SNS must be an http(s) URL' })
  AWS_ENDPOINT_URL_SNS?: string;
  @IsIn(['Transactional', 'Promotional']) SNS_SMS_TYPE: 'Transactional' | 'Promotional' =
    'Transactional';
  @IsOptional()
  @Matches(/^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/, {
    message: 'SNS_SENDER_ID must be 1 to 11 letters, digits or hyphens, with at least one letter',
  })
  SNS_SENDER_ID?: string;

  @Bounded('rateLimit.ttlSeconds') RATE_LIMIT_TTL_SECONDS: number =
    defaultOf('rateLimit.ttlSeconds');
  @Bounded('rateLimit.requestLimit') RATE_LIMIT_REQUEST_LIMIT: number =
    defaultOf('rateLimit.requestLimit');
  @Bounded('rateLimit.verifyLimit') RATE_LIMIT_VERIFY_LIMIT: number =
    defaultOf('rateLimit.verifyLimit');
  @Matches(/^(true|false|\d+|[0-9a-f.:/]+(\s*,\s*[0-9a-f.:/]+)*)$/i, {
    message:
      'TRUST_PROXY must be false, true, a hop count, or a comma-separated list of addresses or CIDR ranges',
  })
  TRUST_PROXY: string = 'false';
  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  // Verification tokens, API keys and test numbers; their pairs and keys are checked in
  // trust-config.ts, whose messages never quote a key or a code.
  @IsOptional() @IsString() OTP_API_KEYS?: string;
  @IsOptional() @IsString() OTP_TOKEN_PRIVATE_KEY?: string;
  @IsOptional() @IsString() OTP_TOKEN_PREVIOUS_PUBLIC_KEYS?: string;
  @IsString() @MinLength(1) @MaxLength(256) OTP_TOKEN_ISSUER: string = OTP_TOKEN_DEFAULTS.issuer;
  @IsOptional() @IsString() @MaxLength(256) OTP_TOKEN_AUDIENCE?: string;
  @Bounded('token.ttlSeconds') OTP_TOKEN_TTL_SECONDS: number = defaultOf('token.ttlSeconds');
  @IsOptional() @IsString() OTP_TEST_NUMBERS?: string;

  // Number types and the fraud guard; the integer bounds are rows of the module's table.
  @IsOptional()
  @Transform(upperList)
  @IsIn(NUMBER_TYPE_NAMES, {
    each: true,
    message: `OTP_ALLOWED_NUMBER_TYPES must be * or a list of ${NUMBER_TYPES.join(', ')}`,
  })
  OTP_ALLOWED_NUMBER_TYPES?: string[];
  @IsOptional() @IsIn(['enforce', 'shadow', 'off']) OTP_FRAUD_GUARD?: 'enforce' | 'shadow' | 'off';
  @Transform(list)
  @Transform(({ value }) => (Array.isArray(value) ? value.map(Number) : value))
  @IsInt({
    each: true,
    message: 'OTP_PREFIX_DIGITS must be comma-separated lengths, such as 6,7,8',
  })
  @Min(PREFIX_DIGITS.min, { each: true })
  @Max(PREFIX_DIGITS.max, { each: true })
  OTP_PREFIX_DIGITS: number[] = [...PREFIX_DIGITS.default];
  @Bounded('fraudGuard.prefixWindowSeconds') OTP_PREFIX_WINDOW_SECONDS: number = defaultOf(
    'fraudGuard.prefixWindowSeconds',
  );
  @Bounded('fraudGuard.prefixMinSends') OTP_PREFIX_MIN_SENDS: number = defaultOf(
    'fraudGuard.prefixMinSends',
  );
  @Bounded('fraudGuard.countryMinSends') OTP_COUNTRY_MIN_SENDS: number = defaultOf(
    'fraudGuard.countryMinSends',
  );
  @IsOptional() @IsNumber() @Min(0) @Max(1) OTP_PREFIX_MIN_CONVERSION?: number;
  @Bounded('fraudGuard.prefixQuarantineSeconds') OTP_PREFIX_QUARANTINE_SECONDS: number = defaultOf(
    'fraudGuard.prefixQuarantineSeconds',
  );
  @IsOptional()
  @Transform(list)
  @Matches(/^\d{1,15}$/, { each: true, message: 'OTP_SAFE_PREFIXES must be digit strings' })
  OTP_SAFE_PREFIXES?: string[];
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/\s+/g, '') : value))
  @Matches(/^([A-Za-z]{2}|\*)=\d{1,9}(,([A-Za-z]{2}|\*)=\d{1,9})*$/, {
    message: 'OTP_COUNTRY_SEND_LIMITS must be CC=n pairs, such as GB=5000,DE=2000,*=1000',
  })
  OTP_COUNTRY_SEND_LIMITS?: string;
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/\s+/g, '') : value))
  @Matches(/^(unlimited|(hour|day)=\d{1,9}(,(hour|day)=\d{1,9})?)$/, {
    message: 'OTP_GLOBAL_SEND_LIMITS must be hour=n,day=n (either or both) or unlimited',
  })
  OTP_GLOBAL_SEND_LIMITS?: string;
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'OTP_ADMIN_API_KEY must be at least 32 characters' })
  OTP_ADMIN_API_KEY?: string;

  // Verifications, idempotency keys and signed events.
  @Bounded('verificationRetentionSeconds') OTP_VERIFICATION_RETENTION_SECONDS: number = defaultOf(
    'verificationRetentionSeconds',
  );
  @Bounded('idempotencyTtlSeconds') OTP_IDEMPOTENCY_TTL_SECONDS: number =
    defaultOf('idempotencyTtlSeconds');
  @IsOptional()
  @Transform(list)
  @Matches(/^https?:\/\/\S+$/i, {
    each: true,
    message: 'OTP_WEBHOOK_URLS must be comma-separated http(s) URLs',
  })
  OTP_WEBHOOK_URLS?: string[];
  @ValidateIf((env: Environment) => (env.OTP_WEBHOOK_URLS ?? []).length > 0)
  @Matches(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, {
    message:
      'OTP_WEBHOOK_SECRET is required with OTP_WEBHOOK_URLS: whsec_ and base64 of 24 to 64 random bytes',
  })
  OTP_WEBHOOK_SECRET?: string;
  @Bounded('webhooks.retryHours') OTP_WEBHOOK_RETRY_HOURS: number =
    defaultOf('webhooks.retryHours');
  // The challenge step; the provider's keys are required together with it.
  @IsOptional() @IsIn(CAPTCHA_PROVIDERS) OTP_CAPTCHA_PROVIDER?: (typeof CAPTCHA_PROVIDERS)[number];
  @ValidateIf((env: Environment) => env.OTP_CAPTCHA_PROVIDER !== undefined)
  @IsString({ message: 'OTP_CAPTCHA_SECRET is required when OTP_CAPTCHA_PROVIDER is set' })
  OTP_CAPTCHA_SECRET?: string;
  @ValidateIf((env: Environment) => env.OTP_CAPTCHA_PROVIDER !== undefined)
  @IsString({ message: 'OTP_CAPTCHA_SITE_KEY is required when OTP_CAPTCHA_PROVIDER is set' })
  OTP_CAPTCHA_SITE_KEY?: string;
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'OTP_CAPTCHA_VERIFY_URL must be an http(s) URL' })
  OTP_CAPTCHA_VERIFY_URL?: string;
  @IsOptional() @IsIn(['risk', 'always', 'off']) OTP_CAPTCHA?: 'risk' | 'always' | 'off';
  @IsOptional() @IsNumber() @Min(0) @Max(1) OTP_CAPTCHA_MIN_SCORE?: number;
  @Bounded('challenge.afterFailures') OTP_CAPTCHA_AFTER_FAILURES: number =
    defaultOf('challenge.afterFailures');
  @Bounded('challenge.afterRequests') OTP_CAPTCHA_AFTER_REQUESTS: number =
    defaultOf('challenge.afterRequests');

  // Voice calls, through Plivo, at OTP_PUBLIC_URL.
  @Bounded('voice.maxCallsPerWindow') OTP_MAX_CALLS_PER_WINDOW: number =
    defaultOf('voice.maxCallsPerWindow');
  @IsIn(['off', 'undelivered']) OTP_VOICE_FALLBACK: 'off' | 'undelivered' = 'off';

  // Browser callers: exact origins only, so a wildcard (or a path) is refused at start-up.
  @IsOptional()
  @Transform(list)
  @Matches(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, {
    each: true,
    message:
      'OTP_CORS_ORIGINS must be comma-separated origins (https://app.example.com), never * or a path',
  })
  OTP_CORS_ORIGINS?: string[];
}

// Implicit conversion reads the declared property types from decorator metadata.
import 'reflect-metadata';
import { Transform } from 'class-transformer';
import {
  IsIn,
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
import { DEFAULT_MESSAGE_TEMPLATE } from 'nestjs-otp-verify';

const SMS_PROVIDERS = ['console', 'plivo', 'sns'] as const;
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
const usesProvider = (env: Environment, name: string): boolean =>
  env.SMS_PROVIDER === name || env.SMS_FALLBACK_PROVIDER === name;

/**
 * Every environment variable the service reads, with its default and its rule. class-validator
 * messages name the variable and the rule, never the value, so a bad secret is not echoed.
 */
export class Environment {
  @IsInt() @Min(1) @Max(65535) PORT: number = 3000;
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
  @IsString() @MaxLength(64) REDIS_KEY_PREFIX: string = 'otp:';

  @IsInt() @Min(4) @Max(10) OTP_LENGTH: number = 6;
  @IsInt() @Min(30) @Max(3600) OTP_TTL_SECONDS: number = 300;
  @IsInt() @Min(1) @Max(20) OTP_MAX_ATTEMPTS: number = 5;
  @IsInt() @Min(0) @Max(86400) OTP_RESEND_COOLDOWN_SECONDS: number = 30;
  @IsInt() @Min(1) OTP_MAX_SENDS_PER_WINDOW: number = 5;
  @IsInt() @Min(1) OTP_SEND_WINDOW_SECONDS: number = 3600;
  @IsInt() @Min(1) OTP_LOCKOUT_THRESHOLD: number = 10;
  @IsInt() @Min(1) OTP_LOCKOUT_WINDOW_SECONDS: number = 1800;
  @IsOptional() @IsString() @MinLength(16) OTP_HASH_SECRET?: string;
  @IsOptional()
  @IsISO31661Alpha2()
  @Transform(({ value }) => String(value).toUpperCase())
  OTP_DEFAULT_COUNTRY?: string;
  @IsOptional()
  @Transform(upperList)
  @IsISO31661Alpha2({ each: true })
  OTP_ALLOWED_COUNTRIES?: string[];
  @IsOptional()
  @Transform(upperList)
  @IsISO31661Alpha2({ each: true })
  OTP_BLOCKED_COUNTRIES?: string[];
  @IsString()
  @Matches(/\{code\}/, { message: 'OTP_MESSAGE_TEMPLATE must contain {code}' })
  OTP_MESSAGE_TEMPLATE: string = DEFAULT_MESSAGE_TEMPLATE;
  @IsString() @MaxLength(32) OTP_APP_NAME: string = 'OTP';
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

  @IsIn(SMS_PROVIDERS) SMS_PROVIDER: (typeof SMS_PROVIDERS)[number] = 'console';
  @IsOptional() @IsIn(SMS_PROVIDERS) SMS_FALLBACK_PROVIDER?: (typeof SMS_PROVIDERS)[number];
  @IsInt() @Min(0) @Max(10) SMS_MAX_RETRIES: number = 2;
  @IsInt() @Min(100) @Max(120000) SMS_TIMEOUT_MS: number = 10000;
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

  @IsInt() @Min(1) RATE_LIMIT_TTL_SECONDS: number = 300;
  @IsInt() @Min(1) RATE_LIMIT_REQUEST_LIMIT: number = 10;
  @IsInt() @Min(1) RATE_LIMIT_VERIFY_LIMIT: number = 30;
  @Matches(/^(true|false|\d+|[0-9a-f.:/]+(\s*,\s*[0-9a-f.:/]+)*)$/i, {
    message:
      'TRUST_PROXY must be false, true, a hop count, or a comma-separated list of addresses or CIDR ranges',
  })
  TRUST_PROXY: string = 'false';
  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

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

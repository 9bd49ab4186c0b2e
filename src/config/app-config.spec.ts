import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTP_INTEGER_OPTIONS, resolveOtpSettings, type IntegerOptionName } from 'nestjs-otp-verify';
import { problemsOf } from '../../test/support/config.js';
import { loadAppConfig } from './app-config.js';

/** The environment variable of each row of the module's table of integer options. */
const VARIABLE_OF: Record<IntegerOptionName, string> = {
  codeLength: 'OTP_LENGTH',
  ttlSeconds: 'OTP_TTL_SECONDS',
  maxAttempts: 'OTP_MAX_ATTEMPTS',
  resendCooldownSeconds: 'OTP_RESEND_COOLDOWN_SECONDS',
  maxSendsPerWindow: 'OTP_MAX_SENDS_PER_WINDOW',
  sendWindowSeconds: 'OTP_SEND_WINDOW_SECONDS',
  lockoutThreshold: 'OTP_LOCKOUT_THRESHOLD',
  lockoutWindowSeconds: 'OTP_LOCKOUT_WINDOW_SECONDS',
  'sms.maxRetries': 'SMS_MAX_RETRIES',
  'sms.maxAttempts': 'SMS_MAX_ATTEMPTS',
  'sms.timeoutMs': 'SMS_TIMEOUT_MS',
  'rateLimit.ttlSeconds': 'RATE_LIMIT_TTL_SECONDS',
  'rateLimit.requestLimit': 'RATE_LIMIT_REQUEST_LIMIT',
  'rateLimit.verifyLimit': 'RATE_LIMIT_VERIFY_LIMIT',
  'token.ttlSeconds': 'OTP_TOKEN_TTL_SECONDS',
  'fraudGuard.prefixWindowSeconds': 'OTP_PREFIX_WINDOW_SECONDS',
  'fraudGuard.prefixMinSends': 'OTP_PREFIX_MIN_SENDS',
  'fraudGuard.countryMinSends': 'OTP_COUNTRY_MIN_SENDS',
  'challenge.afterFailures': 'OTP_CAPTCHA_AFTER_FAILURES',
  'challenge.afterRequests': 'OTP_CAPTCHA_AFTER_REQUESTS',
  'fraudGuard.prefixQuarantineSeconds': 'OTP_PREFIX_QUARANTINE_SECONDS',
  verificationRetentionSeconds: 'OTP_VERIFICATION_RETENTION_SECONDS',
  idempotencyTtlSeconds: 'OTP_IDEMPOTENCY_TTL_SECONDS',
  'webhooks.retryHours': 'OTP_WEBHOOK_RETRY_HOURS',
  'voice.maxCallsPerWindow': 'OTP_MAX_CALLS_PER_WINDOW',
};

describe('loadAppConfig', () => {
  it.each(Object.entries(VARIABLE_OF) as [IntegerOptionName, string][])(
    'takes the bounds of %s from the module table, and refuses %s past them by name',
    (option, variable) => {
      const { min, max } = OTP_INTEGER_OPTIONS[option];
      for (const edge of [min, max]) {
        const config = loadAppConfig({ [variable]: String(edge) });
        // What the environment accepts, the module accepts too: no second refusal at start-up.
        expect(() => resolveOtpSettings(config.otp)).not.toThrow();
      }
      expect(problemsOf({ [variable]: String(max + 1) })).toContain(variable);
      expect(problemsOf({ [variable]: String(min - 1) })).toContain(variable);
    },
  );

  it('refuses OTP_MAX_SENDS_PER_WINDOW=2000000 by the variable name', () => {
    expect(problemsOf({ OTP_MAX_SENDS_PER_WINDOW: '2000000' })).toMatch(
      /OTP_MAX_SENDS_PER_WINDOW must not be greater than 1000000/,
    );
  });

  it('runs on its embedded defaults: in-memory store, console SMS, contract values', () => {
    const config = loadAppConfig({});
    expect(config.port).toBe(3000);
    expect(config.trustProxy).toBe(false);
    expect(config.otp.rateLimit).toEqual({ ttlSeconds: 300, requestLimit: 10, verifyLimit: 30 });
    expect(config.otp).toMatchObject({
      codeLength: 6,
      ttlSeconds: 300,
      maxAttempts: 5,
      resendCooldownSeconds: 30,
      maxSendsPerWindow: 5,
      sendWindowSeconds: 3600,
      lockoutThreshold: 10,
      lockoutWindowSeconds: 1800,
      appName: 'OTP',
      redis: undefined,
      sms: { provider: 'console', maxRetries: 2, timeoutMs: 10000 },
    });
  });

  it('reads typed values, lists and the Redis URL', () => {
    const config = loadAppConfig({
      PORT: '8080',
      OTP_LENGTH: '8',
      OTP_ALLOWED_COUNTRIES: 'gb, us',
      REDIS_URL: 'redis://10.0.0.5:6379',
      REDIS_KEY_PREFIX: 'app:',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
    });
    expect(config.port).toBe(8080);
    expect(config.otp.codeLength).toBe(8);
    expect(config.otp.allowedCountries).toEqual(['GB', 'US']);
    expect(config.otp.redis).toEqual({ url: 'redis://10.0.0.5:6379', keyPrefix: 'app:' });
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadAppConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it('treats empty variables as unset', () => {
    expect(loadAppConfig({ REDIS_URL: '', OTP_LENGTH: '' }).otp).toMatchObject({
      redis: undefined,
      codeLength: 6,
    });
  });

  it.each([
    [{ OTP_LENGTH: '3' }, 'OTP_LENGTH must not be less than 4'],
    [{ OTP_LENGTH: '11' }, 'OTP_LENGTH must not be greater than 10'],
    [{ OTP_TTL_SECONDS: 'soon' }, 'OTP_TTL_SECONDS must be an integer'],
    [{ OTP_MAX_ATTEMPTS: '21' }, 'OTP_MAX_ATTEMPTS must not be greater than 20'],
    [
      { SMS_PROVIDER: 'carrier-pigeon' },
      'SMS_PROVIDER must be one of the following values: console, plivo, sns',
    ],
    [{ OTP_MESSAGE_TEMPLATE: 'Your code' }, 'OTP_MESSAGE_TEMPLATE must contain {code}'],
    [{ OTP_BLOCKED_COUNTRIES: 'GB,XX' }, 'OTP_BLOCKED_COUNTRIES'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL must start with redis:// or rediss://'],
    [{ TRUST_PROXY: 'yes please' }, 'TRUST_PROXY must be false, true, a hop count'],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(problemsOf(env)).toContain(message);
  });

  it('requires the Plivo credentials when Plivo is chosen, naming each', () => {
    const message = problemsOf({ SMS_PROVIDER: 'plivo', PLIVO_AUTH_ID: 'MAXXXX' });
    expect(message).toContain('PLIVO_AUTH_TOKEN is required');
    expect(message).toContain('PLIVO_SENDER is required');
    expect(message).not.toContain('PLIVO_AUTH_ID is required');
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together', () => {
    expect(
      problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }),
    ).toContain('Set either REDIS_URL or REDIS_CLUSTER_NODES, not both');
  });

  it('maps REDIS_CLUSTER_NODES to cluster seeds, and refuses a seed without a port', () => {
    expect(loadAppConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' }).otp.redis).toEqual(
      {
        clusterNodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: 'redis-b', port: 7001 },
        ],
        keyPrefix: 'otp:',
      },
    );
    expect(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toContain(
      'REDIS_CLUSTER_NODES must be host:port',
    );
  });

  it('refuses development defaults in production, and never echoes a secret', () => {
    const message = problemsOf({ NODE_ENV: 'production', OTP_HASH_SECRET: 'short-secret-value' });
    expect(message).toContain('needs REDIS_URL or REDIS_CLUSTER_NODES');
    expect(message).toContain('needs SMS_PROVIDER');
    expect(message).toContain('OTP_HASH_SECRET of at least 32 bytes');
    expect(message).toContain('needs OTP_ALLOWED_COUNTRIES');
    expect(message).toContain('needs OTP_GLOBAL_SEND_LIMITS');
    expect(message).not.toContain('short-secret-value');
  });

  it('takes * as every country and unlimited as no global budget, and keeps development open', () => {
    const decided = { OTP_ALLOWED_COUNTRIES: '*', OTP_GLOBAL_SEND_LIMITS: 'unlimited' };
    const message = problemsOf({ NODE_ENV: 'production', ...decided });
    expect(message).not.toContain('OTP_ALLOWED_COUNTRIES');
    expect(message).not.toContain('OTP_GLOBAL_SEND_LIMITS');
    const { otp } = loadAppConfig(decided);
    expect(otp.allowedCountries).toEqual([]);
    expect(otp.fraudGuard?.globalSendLimits).toBe('unlimited');
    expect(loadAppConfig({}).otp.fraudGuard?.globalSendLimits).toBeUndefined();
  });

  it('serves provider callbacks under /api of OTP_PUBLIC_URL, which production wants on https', () => {
    expect(loadAppConfig({ OTP_PUBLIC_URL: 'http://127.0.0.1:3000/' }).otp.publicUrl).toBe(
      'http://127.0.0.1:3000/api',
    );
    expect(loadAppConfig({}).otp.publicUrl).toBeUndefined();
    expect(problemsOf({ OTP_PUBLIC_URL: 'otp.example.com' })).toContain('OTP_PUBLIC_URL');
    const production = { NODE_ENV: 'production', OTP_PUBLIC_URL: 'http://otp.example.com' };
    expect(problemsOf(production)).toContain('needs an https:// OTP_PUBLIC_URL');
    expect(problemsOf({ ...production, OTP_PUBLIC_URL: 'https://otp.example.com' })).not.toContain(
      'OTP_PUBLIC_URL',
    );
  });

  it('names every missing and every invalid production setting in one message', () => {
    const message = problemsOf({
      NODE_ENV: 'production',
      OTP_LENGTH: '99',
      SMS_PROVIDER: 'plivo',
      OTP_TOKEN_PRIVATE_KEY: 'not-a-key',
    });
    for (const variable of [
      'OTP_LENGTH',
      'PLIVO_AUTH_ID',
      'PLIVO_AUTH_TOKEN',
      'PLIVO_SENDER',
      'REDIS_URL',
      'OTP_HASH_SECRET',
      'OTP_TOKEN_PRIVATE_KEY',
    ]) {
      expect(message).toContain(variable);
    }
    expect(message.match(/Invalid configuration/g)).toHaveLength(1);
  });

  it('makes up the hash secret and token key in development, and says so by variable', () => {
    const config = loadAppConfig({});
    expect(Buffer.byteLength(config.otp.hashSecret)).toBeGreaterThanOrEqual(32);
    expect(config.otp.token?.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(config.warnings).toEqual([
      expect.stringMatching(/^OTP_HASH_SECRET is not set: .*development only/),
      expect.stringMatching(/^OTP_TOKEN_PRIVATE_KEY is not set: .*development only/),
    ]);
    expect(loadAppConfig({ OTP_HASH_SECRET: 'x'.repeat(32) }).warnings).toHaveLength(1);
    expect(problemsOf({ OTP_HASH_SECRET: 'é'.repeat(15) })).toContain(
      'OTP_HASH_SECRET must be at least 32 bytes',
    );
  });
});

describe('loadAppConfig: number types and fraud guard', () => {
  it('takes the defaults of the module table when nothing is set', () => {
    const { otp } = loadAppConfig({});
    expect(otp.allowedNumberTypes).toBeUndefined();
    expect(otp.fraudGuard).toEqual({
      mode: undefined,
      prefixDigits: [6, 7, 8],
      prefixWindowSeconds: 3600,
      prefixMinSends: 30,
      countryMinSends: 200,
      prefixMinConversion: undefined,
      prefixQuarantineSeconds: 43200,
      safePrefixes: undefined,
      countrySendLimits: undefined,
      globalSendLimits: undefined,
      adminApiKey: undefined,
    });
  });

  it('reads every variable', () => {
    const { otp } = loadAppConfig({
      OTP_ALLOWED_NUMBER_TYPES: 'mobile, FIXED_LINE',
      OTP_FRAUD_GUARD: 'shadow',
      OTP_PREFIX_DIGITS: '7, 9',
      OTP_PREFIX_WINDOW_SECONDS: '600',
      OTP_PREFIX_MIN_SENDS: '12',
      OTP_COUNTRY_MIN_SENDS: '500',
      OTP_GLOBAL_SEND_LIMITS: 'hour=1000, day=10000',
      OTP_PREFIX_MIN_CONVERSION: '0.35',
      OTP_PREFIX_QUARANTINE_SECONDS: '900',
      OTP_SAFE_PREFIXES: '4474001, 1415',
      OTP_COUNTRY_SEND_LIMITS: 'gb=5000, DE=2000,*=1000',
      OTP_ADMIN_API_KEY: 'k'.repeat(32),
    });
    expect(otp.allowedNumberTypes).toEqual(['MOBILE', 'FIXED_LINE']);
    expect(otp.fraudGuard).toEqual({
      mode: 'shadow',
      prefixDigits: [7, 9],
      prefixWindowSeconds: 600,
      prefixMinSends: 12,
      countryMinSends: 500,
      globalSendLimits: { hour: 1000, day: 10000 },
      prefixMinConversion: 0.35,
      prefixQuarantineSeconds: 900,
      safePrefixes: ['4474001', '1415'],
      countrySendLimits: { GB: 5000, DE: 2000, '*': 1000 },
      adminApiKey: 'k'.repeat(32),
    });
  });

  it('refuses bad values, naming each variable and never echoing the admin key', () => {
    const message = problemsOf({
      OTP_ALLOWED_NUMBER_TYPES: 'MOBILE,PIGEON',
      OTP_FRAUD_GUARD: 'loud',
      OTP_PREFIX_DIGITS: '6,3',
      OTP_PREFIX_MIN_CONVERSION: '1.5',
      OTP_GLOBAL_SEND_LIMITS: 'week=5',
      OTP_SAFE_PREFIXES: '44a',
      OTP_COUNTRY_SEND_LIMITS: 'GB:100',
      OTP_ADMIN_API_KEY: 'short-admin-key',
    });
    for (const name of [
      'OTP_ALLOWED_NUMBER_TYPES',
      'OTP_FRAUD_GUARD',
      'OTP_PREFIX_DIGITS',
      'OTP_PREFIX_MIN_CONVERSION',
      'OTP_GLOBAL_SEND_LIMITS',
      'OTP_SAFE_PREFIXES',
      'OTP_COUNTRY_SEND_LIMITS',
      'OTP_ADMIN_API_KEY',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('short-admin-key');
  });
});

describe('loadAppConfig: challenge', () => {
  it('reads the provider, its keys and the triggers', () => {
    const { otp } = loadAppConfig({
      OTP_CAPTCHA_PROVIDER: 'recaptcha',
      OTP_CAPTCHA_SECRET: 'captcha-secret',
      OTP_CAPTCHA_SITE_KEY: 'site-key',
      OTP_CAPTCHA_VERIFY_URL: 'http://127.0.0.1:9/siteverify',
      OTP_CAPTCHA: 'always',
      OTP_CAPTCHA_MIN_SCORE: '0.7',
      OTP_CAPTCHA_AFTER_FAILURES: '4',
      OTP_CAPTCHA_AFTER_REQUESTS: '5',
    });
    expect(otp.challenge).toEqual({
      provider: 'recaptcha',
      secret: 'captcha-secret',
      siteKey: 'site-key',
      verifyUrl: 'http://127.0.0.1:9/siteverify',
      mode: 'always',
      minScore: 0.7,
      afterFailures: 4,
      afterRequests: 5,
    });
  });

  it('requires the keys with a provider, and never echoes the secret', () => {
    const message = problemsOf({
      OTP_CAPTCHA_PROVIDER: 'turnstile',
      OTP_CAPTCHA: 'sometimes',
      OTP_CAPTCHA_MIN_SCORE: '2',
    });
    for (const name of [
      'OTP_CAPTCHA_SECRET',
      'OTP_CAPTCHA_SITE_KEY',
      'OTP_CAPTCHA ',
      'OTP_CAPTCHA_MIN_SCORE',
    ]) {
      expect(message).toContain(name);
    }
    expect(problemsOf({ OTP_CAPTCHA_PROVIDER: 'clippy' })).toContain('OTP_CAPTCHA_PROVIDER');
  });
});

describe('loadAppConfig: languages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-config-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the templates file and the default locale into the module options', () => {
    const path = file('ok.json', JSON.stringify({ fr: 'Code : {code}' }));
    const { otp } = loadAppConfig({ OTP_MESSAGE_TEMPLATES: path, OTP_DEFAULT_LOCALE: 'pt_BR' });
    expect(otp).toMatchObject({
      messageTemplates: { fr: 'Code : {code}' },
      defaultLocale: 'pt_BR',
    });
    expect(otp.messageTemplate).toBeUndefined();
  });

  it.each([
    [
      { OTP_MESSAGE_TEMPLATES: '/nonexistent/templates.json' },
      'cannot read /nonexistent/templates.json (ENOENT)',
    ],
    [{ OTP_MESSAGE_TEMPLATES: 'not-json' }, 'is not JSON'],
    [{ OTP_MESSAGE_TEMPLATES: 'array' }, 'must hold one JSON object of locale: text pairs'],
    [{ OTP_DEFAULT_LOCALE: 'french please' }, 'OTP_DEFAULT_LOCALE must be a BCP 47 tag'],
  ])('refuses %p, naming the variable', (env, message) => {
    const paths: Record<string, string> = {
      'not-json': file('bad.json', '{ fr: "x" }'),
      array: file('array.json', '["{code}"]'),
    };
    const variables = Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, paths[value] ?? value]),
    );
    expect(problemsOf(variables)).toContain(message);
  });
});

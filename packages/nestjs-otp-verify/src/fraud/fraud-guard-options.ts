export type FraudGuardMode = 'enforce' | 'shadow' | 'off';

/** `OtpModule` option `fraudGuard`: the prefix guard, the country budgets and the admin routes. */
export interface OtpFraudGuardOptions {
  /** `enforce` refuses, `shadow` only logs and counts what it would refuse, `off` does nothing. */
  mode?: FraudGuardMode;
  /**
   * The prefix lengths watched: leading digits of the E.164 number (country code included), each
   * 4 to 12; `[6, 7, 8]` by default. A pumper spread over neighbouring ranges is caught by the
   * shorter prefix they share.
   */
  prefixDigits?: number | number[];
  /** The sliding window over which a prefix's sends and approvals are counted. */
  prefixWindowSeconds?: number;
  /** Sends in the window before a prefix of the longest length is judged; doubles per digit shorter. */
  prefixMinSends?: number;
  /** Sends in the window before a country is judged by the same test. */
  countryMinSends?: number;
  /** Approvals ÷ sends below which a judged prefix is quarantined, 0 to 1. */
  prefixMinConversion?: number;
  prefixQuarantineSeconds?: number;
  /** Digit strings; a number starting with one of them is never quarantined. */
  safePrefixes?: string[];
  /** Sends per country per rolling 24 hours, by ISO 3166 alpha-2 code; `*` for every other country. */
  countrySendLimits?: Record<string, number>;
  /**
   * Caps on all sends together, across instances: per rolling hour and/or day. `'unlimited'`
   * (or leaving it out) sets none; the standalone service requires a decision in production.
   */
  globalSendLimits?: OtpGlobalSendLimits | 'unlimited';
  /** Enables `/admin/fraud/prefixes` behind `Authorization: Bearer <key>`; 32+ characters. */
  adminApiKey?: string;
}

export interface OtpGlobalSendLimits {
  hour?: number;
  day?: number;
}

/** The prefix lengths watched unless `prefixDigits` says otherwise, and each length's bounds. */
export const PREFIX_DIGITS = { default: [6, 7, 8], min: 4, max: 12 } as const;

/** The integer options' defaults and bounds are rows of `OTP_INTEGER_OPTIONS`. */
export const FRAUD_GUARD_DEFAULTS = { mode: 'enforce', prefixMinConversion: 0.2 } as const;

/** The integer options, already checked against `OTP_INTEGER_OPTIONS` by `resolveOtpSettings`. */
export interface FraudGuardIntegers {
  prefixWindowSeconds: number;
  prefixMinSends: number;
  countryMinSends: number;
  prefixQuarantineSeconds: number;
}

/** Country budgets are counted over this rolling window. */
export const COUNTRY_BUDGET_WINDOW_MS = 24 * 3600 * 1000;
/** The global budgets' rolling windows. */
export const GLOBAL_BUDGET_WINDOWS_MS = { hour: 3600 * 1000, day: 24 * 3600 * 1000 } as const;

/** One watched prefix length and the sends it needs before it is judged. */
export interface PrefixLength {
  digits: number;
  minSends: number;
}

export interface FraudGuardSettings {
  mode: FraudGuardMode;
  /** Shortest first. */
  prefixLengths: PrefixLength[];
  prefixWindowMs: number;
  countryMinSends: number;
  prefixMinConversion: number;
  prefixQuarantineMs: number;
  safePrefixes: string[];
  /** Upper-cased country codes, `*` included when given. Empty: no budgets. */
  countrySendLimits: Map<string, number>;
  /** Empty: no global budget. */
  globalSendLimits: { window: keyof typeof GLOBAL_BUDGET_WINDOWS_MS; limit: number }[];
  adminApiKey?: string;
}

const MODES: readonly FraudGuardMode[] = ['enforce', 'shadow', 'off'];

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`OtpModule option fraudGuard.${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Applies defaults and refuses what the guard cannot honour; host apps get no other check. */
export function resolveFraudGuardSettings(
  options: OtpFraudGuardOptions,
  integers: FraudGuardIntegers,
): FraudGuardSettings {
  const mode = options.mode ?? FRAUD_GUARD_DEFAULTS.mode;
  if (!MODES.includes(mode)) {
    throw new Error('OtpModule option fraudGuard.mode must be enforce, shadow or off');
  }
  const conversion = options.prefixMinConversion ?? FRAUD_GUARD_DEFAULTS.prefixMinConversion;
  if (typeof conversion !== 'number' || !(conversion >= 0 && conversion <= 1)) {
    throw new Error('OtpModule option fraudGuard.prefixMinConversion must be from 0 to 1');
  }
  const safePrefixes = options.safePrefixes ?? [];
  if (!safePrefixes.every((prefix) => /^\d{1,15}$/.test(prefix))) {
    throw new Error('OtpModule option fraudGuard.safePrefixes must be digit strings');
  }
  const countrySendLimits = new Map<string, number>();
  for (const [country, limit] of Object.entries(options.countrySendLimits ?? {})) {
    const code = country.toUpperCase();
    if (!/^([A-Z]{2}|\*)$/.test(code)) {
      throw new Error(
        'OtpModule option fraudGuard.countrySendLimits takes ISO 3166 alpha-2 codes or *',
      );
    }
    countrySendLimits.set(code, integerIn(`countrySendLimits.${code}`, limit, 1, 100_000_000));
  }
  const globalSendLimits = globalSendLimitsOf(options.globalSendLimits);
  const adminApiKey = options.adminApiKey;
  if (adminApiKey !== undefined && adminApiKey.length < 32) {
    throw new Error('OtpModule option fraudGuard.adminApiKey must be at least 32 characters');
  }
  return {
    mode,
    prefixLengths: prefixLengthsOf(options.prefixDigits, integers.prefixMinSends),
    prefixWindowMs: integers.prefixWindowSeconds * 1000,
    countryMinSends: integers.countryMinSends,
    prefixMinConversion: conversion,
    prefixQuarantineMs: integers.prefixQuarantineSeconds * 1000,
    safePrefixes,
    countrySendLimits,
    globalSendLimits,
    adminApiKey,
  };
}

/** The longest length needs `minSends`; each digit shorter twice as many. */
function prefixLengthsOf(option: number | number[] | undefined, minSends: number): PrefixLength[] {
  const lengths = [
    ...new Set(typeof option === 'number' ? [option] : (option ?? PREFIX_DIGITS.default)),
  ];
  if (lengths.length === 0) {
    throw new Error('OtpModule option fraudGuard.prefixDigits must list at least one length');
  }
  lengths.forEach((digits) =>
    integerIn('prefixDigits', digits, PREFIX_DIGITS.min, PREFIX_DIGITS.max),
  );
  const sorted = lengths.sort((a, b) => a - b);
  const longest = sorted[sorted.length - 1];
  return sorted.map((digits) => ({
    digits,
    minSends: Math.min(minSends * 2 ** (longest - digits), Number.MAX_SAFE_INTEGER),
  }));
}

function globalSendLimitsOf(
  option: OtpFraudGuardOptions['globalSendLimits'],
): FraudGuardSettings['globalSendLimits'] {
  if (option === undefined || option === 'unlimited') return [];
  return (['hour', 'day'] as const).flatMap((window) =>
    option[window] === undefined
      ? []
      : [
          {
            window,
            limit: integerIn(`globalSendLimits.${window}`, option[window], 1, 1_000_000_000),
          },
        ],
  );
}

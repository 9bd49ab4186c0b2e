export type FraudGuardMode = 'enforce' | 'shadow' | 'off';

/** `OtpModule` option `fraudGuard`: the prefix guard, the country budgets and the admin routes. */
export interface OtpFraudGuardOptions {
  /** `enforce` refuses, `shadow` only logs and counts what it would refuse, `off` does nothing. */
  mode?: FraudGuardMode;
  /** Leading digits of the E.164 number (country code included) that make a prefix, 4 to 12. */
  prefixDigits?: number;
  /** The sliding window over which a prefix's sends and approvals are counted. */
  prefixWindowSeconds?: number;
  /** Sends in the window before a prefix is judged at all. */
  prefixMinSends?: number;
  /** Approvals ÷ sends below which a judged prefix is quarantined, 0 to 1. */
  prefixMinConversion?: number;
  prefixQuarantineSeconds?: number;
  /** Digit strings; a number starting with one of them is never quarantined. */
  safePrefixes?: string[];
  /** Sends per country per rolling 24 hours, by ISO 3166 alpha-2 code; `*` for every other country. */
  countrySendLimits?: Record<string, number>;
  /** Enables `/admin/fraud/prefixes` behind `Authorization: Bearer <key>`; 32+ characters. */
  adminApiKey?: string;
}

/** The integer options' defaults and bounds are rows of `OTP_INTEGER_OPTIONS`. */
export const FRAUD_GUARD_DEFAULTS = { mode: 'enforce', prefixMinConversion: 0.2 } as const;

/** The integer options, already checked against `OTP_INTEGER_OPTIONS` by `resolveOtpSettings`. */
export interface FraudGuardIntegers {
  prefixDigits: number;
  prefixWindowSeconds: number;
  prefixMinSends: number;
  prefixQuarantineSeconds: number;
}

/** Country budgets are counted over this rolling window. */
export const COUNTRY_BUDGET_WINDOW_MS = 24 * 3600 * 1000;

export interface FraudGuardSettings {
  mode: FraudGuardMode;
  prefixDigits: number;
  prefixWindowMs: number;
  prefixMinSends: number;
  prefixMinConversion: number;
  prefixQuarantineMs: number;
  safePrefixes: string[];
  /** Upper-cased country codes, `*` included when given. Empty: no budgets. */
  countrySendLimits: Map<string, number>;
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
  const adminApiKey = options.adminApiKey;
  if (adminApiKey !== undefined && adminApiKey.length < 32) {
    throw new Error('OtpModule option fraudGuard.adminApiKey must be at least 32 characters');
  }
  return {
    mode,
    prefixDigits: integers.prefixDigits,
    prefixWindowMs: integers.prefixWindowSeconds * 1000,
    prefixMinSends: integers.prefixMinSends,
    prefixMinConversion: conversion,
    prefixQuarantineMs: integers.prefixQuarantineSeconds * 1000,
    safePrefixes,
    countrySendLimits,
    adminApiKey,
  };
}

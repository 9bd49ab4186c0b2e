import { Injectable, Logger } from '@nestjs/common';
import {
  CountrySendLimitExceededError,
  DeliveryBlockedError,
  GlobalSendLimitExceededError,
  retryAfterSeconds as retryAfterSecondsOf,
} from '../otp.errors.js';
import type { PhoneNumber } from '../phone/phone-number.js';
import type { RedisDeadline } from '../store/redis-deadline.js';
import {
  InjectFraudGuardObserver,
  InjectFraudStore,
  InjectOtpSettings,
} from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import { OtpEvents } from '../events/otp-events.js';
import type { FraudGuardDecisionEvent, FraudGuardObserver } from './fraud-guard-observer.js';
import { COUNTRY_BUDGET_WINDOW_MS, GLOBAL_BUDGET_WINDOWS_MS } from './fraud-guard-options.js';
import type { FraudGuardSettings } from './fraud-guard-options.js';
import type {
  ChallengeState,
  CounterReport,
  FraudStore,
  Quarantine,
  SendAdmission,
  SendCounter,
  WatchedCounter,
} from './fraud-store.js';

/** libphonenumber's region code for numbers of no country (+800, +881, ...). */
const NO_COUNTRY = '001';

const conversionOf = (sends: number, approvals: number): number =>
  sends > 0 ? Math.round((approvals / sends) * 1000) / 1000 : 0;

/**
 * A send the guard would refuse, but that a challenge would let through. Not a refusal of the
 * contract by itself: the caller answers it with `captcha_required`.
 */
export class ChallengeNeededError extends Error {
  constructor() {
    super('A challenge is needed before this send');
    this.name = ChallengeNeededError.name;
  }
}

/**
 * Guards against SMS pumping: judges number prefixes at several lengths and countries by how
 * many of their sends are verified, and caps sends per country and overall. Every decision is
 * one log line (a prefix or a country, never a full number) and one event for the observer.
 */
@Injectable()
export class FraudGuardService {
  private readonly logger = new Logger('FraudGuard');
  readonly settings: FraudGuardSettings;

  constructor(
    @InjectOtpSettings() { fraudGuard: settings }: OtpSettings,
    @InjectFraudStore() private readonly store: FraudStore,
    private readonly events: OtpEvents,
    @InjectFraudGuardObserver() private readonly observer?: FraudGuardObserver,
  ) {
    this.settings = settings;
  }

  /**
   * Admits one send to `phone` and runs `send`; if `send` throws (a per-number limit, the store,
   * the SMS provider), the send is given back, so a refused request counts as none. Before
   * `send`, throws `CountrySendLimitExceededError`, `GlobalSendLimitExceededError`,
   * `DeliveryBlockedError`, or `ChallengeNeededError` when `challenge` is `ask`.
   */
  async guardSend<T>(
    phone: PhoneNumber,
    send: () => Promise<T>,
    challenge: ChallengeState = 'none',
    deadline?: RedisDeadline,
  ): Promise<T> {
    const country = phone.region ?? NO_COUNTRY;
    const counters = this.countersOf(phone, country);
    if (counters.length === 0) return send();
    const policy = {
      windowMs: this.settings.prefixWindowMs,
      minConversion: this.settings.prefixMinConversion,
      quarantineMs: this.settings.prefixQuarantineMs,
      enforce: this.settings.mode === 'enforce',
      challenge,
      country,
    };
    const admission = await this.store.admitSend(counters, policy, deadline);
    this.report(admission, country);
    try {
      return await send();
    } catch (error) {
      await this.store
        .withdrawSend(admission, deadline)
        .catch(() =>
          this.logger.warn('A refused send could not be given back: the store is unavailable'),
        );
      throw error;
    }
  }

  /**
   * Counts an approved code for the number's prefixes and country; never fails the verification
   * it follows. A quarantine whose conversion is back at the minimum ends here.
   */
  async approved(
    phone: Pick<PhoneNumber, 'e164' | 'region'>,
    deadline?: RedisDeadline,
  ): Promise<void> {
    const watched = this.watchedOf(phone, phone.region ?? NO_COUNTRY);
    if (watched.length === 0) return;
    const { prefixWindowMs, prefixMinConversion } = this.settings;
    const released = await this.store
      .recordApproval(watched, prefixWindowMs, prefixMinConversion, deadline)
      .catch(() => {
        this.logger.warn('An approval could not be counted: the store is unavailable');
        return [];
      });
    for (const quarantine of released) {
      this.decided({ decision: 'released', ...this.figuresOf(quarantine) });
      this.logger.log(`${this.nameOf(quarantine)} released: its conversion recovered`);
    }
  }

  /**
   * Whether a verify for `phone` needs a challenge for the guard's sake: one of its prefixes or
   * its country is quarantined (enforce mode), or a global budget is past 80 %. Reads only.
   */
  async atRisk(
    phone: Pick<PhoneNumber, 'e164' | 'region'>,
    deadline?: RedisDeadline,
  ): Promise<boolean> {
    const watched =
      this.settings.mode === 'enforce' ? this.watchedOf(phone, phone.region ?? NO_COUNTRY) : [];
    const counters = [...this.globalBudgets(), ...watched];
    return (
      counters.length > 0 && this.store.atRisk(counters, this.settings.prefixWindowMs, deadline)
    );
  }

  /** Prefixes and countries in quarantine now, with the figures that put them there. */
  async quarantined(): Promise<(Quarantine & { conversion: number })[]> {
    const entries = await this.store.quarantined();
    return entries
      .map((entry) => ({ ...entry, conversion: conversionOf(entry.sends, entry.approvals) }))
      .sort((a, b) => (a.prefix ?? a.country).localeCompare(b.prefix ?? b.country));
  }

  /** Lifts a quarantine; false if it was not quarantined. */
  async release(counter: Pick<WatchedCounter, 'kind' | 'id'>): Promise<boolean> {
    const released = await this.store.release(counter);
    if (!released) return false;
    this.decided({ decision: 'released', byOperator: true, ...this.figuresOf(released) });
    this.logger.log(`${this.nameOf(released)} released by an operator`);
    return true;
  }

  /** Budgets first (they apply in every mode), then the watched prefixes and country. */
  private countersOf(phone: PhoneNumber, country: string): SendCounter[] {
    const counters: SendCounter[] = [];
    const budget =
      this.settings.countrySendLimits.get(country) ?? this.settings.countrySendLimits.get('*');
    if (budget !== undefined) {
      counters.push({
        kind: 'country_budget',
        id: country,
        limit: budget,
        windowMs: COUNTRY_BUDGET_WINDOW_MS,
      });
    }
    return [...counters, ...this.globalBudgets(), ...this.watchedOf(phone, country)];
  }

  private globalBudgets(): SendCounter[] {
    return this.settings.globalSendLimits.map(({ window, limit }) => ({
      kind: 'global_budget',
      id: window,
      limit,
      windowMs: GLOBAL_BUDGET_WINDOWS_MS[window],
    }));
  }

  private watchedOf(phone: Pick<PhoneNumber, 'e164'>, country: string): WatchedCounter[] {
    if (this.settings.mode === 'off') return [];
    const digits = phone.e164.slice(1);
    if (this.settings.safePrefixes.some((safe) => digits.startsWith(safe))) return [];
    return [
      ...this.settings.prefixLengths
        .filter((length) => digits.length > length.digits)
        .map(({ digits: length, minSends }) => ({
          kind: 'prefix' as const,
          id: digits.slice(0, length),
          minSends,
        })),
      { kind: 'country', id: country, minSends: this.settings.countryMinSends },
    ];
  }

  /** Logs and tells the observer of each decision the admission carries; throws a refusal. */
  private report(admission: SendAdmission, country: string): void {
    for (const report of admission.counters) {
      if (report.expired) {
        this.decided({ decision: 'released', ...this.figuresOfReport(report, country) });
        this.logger.log(`${this.nameOfReport(report)} released: its quarantine ran out`);
      }
      if (report.quarantined) this.quarantinedNow(report, country);
      if (report.warned) this.warnBudget(report);
    }
    const decidedBy = admission.decidedBy;
    switch (admission.outcome) {
      case 'admitted':
        if (admission.counters.some((r) => r.quarantinedUntil > 0 && !r.quarantined)) {
          this.wouldBlock(admission, country);
        }
        return;
      case 'over_budget':
        throw this.overBudget(decidedBy!, country);
      case 'blocked':
        this.decided({ decision: 'blocked', ...this.figuresOfReport(decidedBy!, country) });
        this.logger.warn(`Send refused: ${this.nameOfReport(decidedBy!)} is quarantined`);
        throw new DeliveryBlockedError();
      case 'challenge':
        this.decided({ decision: 'challenged', ...this.figuresOfReport(decidedBy!, country) });
        this.logger.warn(
          `Challenge asked: ${this.nameOfReport(decidedBy!)} ${decidedBy!.counter.kind === 'global_budget' ? 'is past 80 %' : 'is quarantined'}`,
        );
        throw new ChallengeNeededError();
    }
  }

  /** Shadow mode, or a passed challenge: a quarantined counter admitted this send. */
  private wouldBlock(admission: SendAdmission, country: string): void {
    const held = admission.counters.find((r) => r.quarantinedUntil > 0 && !r.quarantined)!;
    if (this.settings.mode !== 'shadow') return;
    this.decided({ decision: 'would_block', ...this.figuresOfReport(held, country) });
    this.logger.warn(`${this.nameOfReport(held)} is quarantined (shadow mode: nothing is refused)`);
  }

  private quarantinedNow(report: CounterReport, country: string): void {
    this.decided({ decision: 'quarantined', ...this.figuresOfReport(report, country) });
    const shadow = this.settings.mode === 'enforce' ? '' : ' (shadow mode: nothing is refused)';
    this.logger.warn(
      `${this.nameOfReport(report)}${report.counter.kind === 'prefix' ? ` (${country})` : ''} quarantined until ${new Date(report.quarantinedUntil).toISOString()}: sends=${report.sends} approvals=${report.approvals} conversion=${conversionOf(report.sends, report.approvals)}${shadow}`,
    );
  }

  private overBudget(report: CounterReport, country: string): Error {
    const counter = report.counter as Extract<SendCounter, { limit: number }>;
    const wait = { waitMs: report.retryAfterMs, windowSeconds: counter.windowMs / 1000 };
    const retryAfterSeconds = retryAfterSecondsOf(wait);
    const global = counter.kind === 'global_budget';
    this.decided({
      decision: 'budget_exceeded',
      country,
      budget: global ? (counter.id as 'hour' | 'day') : 'country',
    });
    this.logger.warn(
      global
        ? `Send refused: the global budget of ${counter.limit} sends per ${counter.id} is used; room again in ${retryAfterSeconds} s`
        : `Send refused: country ${country} has used its budget of ${counter.limit} sends per 24 h; room again in ${retryAfterSeconds} s`,
    );
    return global
      ? new GlobalSendLimitExceededError(wait)
      : new CountrySendLimitExceededError(wait);
  }

  private warnBudget(report: CounterReport): void {
    const counter = report.counter as Extract<SendCounter, { limit: number }>;
    const window = counter.id as 'hour' | 'day';
    this.logger.warn(
      `The global budget of ${counter.limit} sends per ${window} is past 80 %: ${Math.round(report.sends)} sends in the last ${window}`,
    );
    const warning = { window, limit: counter.limit, sends: Math.round(report.sends) };
    this.observer?.globalBudgetWarning?.(warning);
    this.events.globalBudgetWarning(warning);
  }

  private figuresOfReport(
    report: CounterReport,
    country: string,
  ): Omit<FraudGuardDecisionEvent, 'decision'> {
    const { counter } = report;
    if (counter.kind === 'country_budget') return { country, budget: 'country' };
    if (counter.kind === 'global_budget') {
      return { country, budget: counter.id as 'hour' | 'day' };
    }
    return this.figuresOf({
      prefix: counter.kind === 'prefix' ? counter.id : null,
      country,
      sends: report.sends,
      approvals: report.approvals,
      quarantinedUntil: report.quarantinedUntil,
    });
  }

  private figuresOf(quarantine: Quarantine): Omit<FraudGuardDecisionEvent, 'decision'> {
    return {
      country: quarantine.country,
      ...(quarantine.prefix !== null && { prefix: quarantine.prefix }),
      sends: quarantine.sends,
      approvals: quarantine.approvals,
      conversion: conversionOf(quarantine.sends, quarantine.approvals),
      ...(quarantine.quarantinedUntil > 0 && { quarantinedUntil: quarantine.quarantinedUntil }),
    };
  }

  private nameOfReport({ counter }: CounterReport): string {
    switch (counter.kind) {
      case 'prefix':
        return `Prefix ${counter.id}`;
      case 'country':
        return `Country ${counter.id}`;
      case 'country_budget':
        return `The budget of country ${counter.id}`;
      case 'global_budget':
        return `The global budget per ${counter.id}`;
    }
  }

  private nameOf(quarantine: Pick<Quarantine, 'prefix' | 'country'>): string {
    return quarantine.prefix !== null
      ? `Prefix ${quarantine.prefix}`
      : `Country ${quarantine.country}`;
  }

  /** Every decision reaches the host's observer (the metrics) and the signed events alike. */
  private decided(event: FraudGuardDecisionEvent): void {
    this.observer?.fraudGuardDecision(event);
    this.events.fraudGuardDecision(event);
  }
}

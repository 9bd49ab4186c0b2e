import { Injectable, Logger } from '@nestjs/common';
import {
  CountrySendLimitExceededError,
  DeliveryBlockedError,
  retryAfterSeconds as retryAfterSecondsOf,
} from '../otp.errors.js';
import type { PhoneNumber } from '../phone/phone-number.js';
import {
  InjectFraudGuardObserver,
  InjectFraudStore,
  InjectOtpSettings,
} from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';
import { OtpEvents } from '../events/otp-events.js';
import type {
  FraudGuardDecision,
  FraudGuardDecisionEvent,
  FraudGuardObserver,
} from './fraud-guard-observer.js';
import { COUNTRY_BUDGET_WINDOW_MS, type FraudGuardSettings } from './fraud-guard-options.js';
import type { FraudStore, PrefixPolicy, QuarantinedPrefix } from './fraud-store.js';

/** libphonenumber's region code for numbers of no country (+800, +881, ...). */
const NO_COUNTRY = '001';

/** The sends an admission counted, to give back if the code is never sent. */
interface Admission {
  prefix?: { prefix: string; bucket: number };
  country?: { country: string; bucket: number };
}

const conversionOf = (sends: number, approvals: number): number =>
  sends > 0 ? Math.round((approvals / sends) * 1000) / 1000 : 0;

/**
 * Guards against SMS pumping: refuses sends to number prefixes that are sent to but never
 * verified, and caps sends per country. Every decision is one log line (a prefix, never a full
 * number) and one event for the observer (the service's metrics).
 */
@Injectable()
export class FraudGuardService {
  private readonly logger = new Logger('FraudGuard');
  private readonly prefixPolicy: PrefixPolicy;
  readonly settings: FraudGuardSettings;

  constructor(
    @InjectOtpSettings() { fraudGuard: settings }: OtpSettings,
    @InjectFraudStore() private readonly store: FraudStore,
    private readonly events: OtpEvents,
    @InjectFraudGuardObserver() private readonly observer?: FraudGuardObserver,
  ) {
    this.settings = settings;
    this.prefixPolicy = {
      windowMs: settings.prefixWindowMs,
      minSends: settings.prefixMinSends,
      minConversion: settings.prefixMinConversion,
      quarantineMs: settings.prefixQuarantineMs,
      enforce: settings.mode === 'enforce',
    };
  }

  /**
   * Admits one send to `phone` and runs `send`; if `send` throws (a per-number limit, the store,
   * the SMS provider), the send is given back, so a refused request counts as none. Throws
   * `DeliveryBlockedError` or `CountrySendLimitExceededError` before `send` when it refuses.
   */
  async guardSend<T>(phone: PhoneNumber, send: () => Promise<T>): Promise<T> {
    if (this.settings.mode === 'off') return send();
    const admission = await this.admit(phone);
    try {
      return await send();
    } catch (error) {
      await this.withdraw(admission);
      throw error;
    }
  }

  /** Counts an approved code for the number's prefix; never fails the verification it follows. */
  async approved(phone: Pick<PhoneNumber, 'e164'>): Promise<void> {
    if (this.settings.mode === 'off' || this.isSafe(phone)) return;
    await this.store
      .recordApproval(this.prefixOf(phone), this.settings.prefixWindowMs)
      .catch(() => this.logger.warn('An approval could not be counted: the store is unavailable'));
  }

  /** Prefixes in quarantine now, with the figures that put them there. */
  async quarantined(): Promise<(QuarantinedPrefix & { conversion: number })[]> {
    const prefixes = await this.store.quarantined();
    return prefixes
      .map((entry) => ({ ...entry, conversion: conversionOf(entry.sends, entry.approvals) }))
      .sort((a, b) => a.prefix.localeCompare(b.prefix));
  }

  /** Lifts a quarantine; false if the prefix was not quarantined. */
  async release(prefix: string): Promise<boolean> {
    const released = await this.store.release(prefix);
    if (!released) return false;
    this.decided('released', released.country);
    this.logger.log(`Prefix ${prefix} released by an operator`);
    return true;
  }

  /**
   * The country budget first: a request it refuses never counts toward its prefix's threshold,
   * so a spent budget cannot put a prefix in quarantine. A send to a quarantined prefix holds its
   * country's place for one round trip only.
   */
  private async admit(phone: PhoneNumber): Promise<Admission> {
    const country = phone.region ?? NO_COUNTRY;
    const admission: Admission = {};
    const limit =
      this.settings.countrySendLimits.get(country) ?? this.settings.countrySendLimits.get('*');
    if (limit !== undefined) {
      const budget = await this.store.admitCountry(country, limit, this.prefixPolicy.enforce);
      const wait = { waitMs: budget.retryAfterMs, windowSeconds: COUNTRY_BUDGET_WINDOW_MS / 1000 };
      const retryAfterSeconds = retryAfterSecondsOf(wait);
      switch (budget.outcome) {
        case 'exceeded':
          this.decided('budget_exceeded', country, {
            until: Date.now() + budget.retryAfterMs,
          });
          this.logger.warn(
            `Send refused: country ${country} has used its budget of ${limit} sends per 24 h; room again in ${retryAfterSeconds} s`,
          );
          throw new CountrySendLimitExceededError(wait);
        case 'would_exceed':
          this.decided('would_block', country);
          this.logger.warn(
            `Country ${country} is over its budget of ${limit} sends per 24 h (shadow mode: nothing is refused)`,
          );
          break;
      }
      admission.country = { country, bucket: budget.bucket };
    }
    if (this.isSafe(phone)) return admission;
    const prefix = this.prefixOf(phone);
    const decided = await this.store
      .admitPrefix(prefix, country, this.prefixPolicy)
      .catch(async (error: unknown) => {
        await this.withdraw(admission);
        throw error;
      });
    if (decided.expired) {
      this.decided('released', country);
      this.logger.log(`Prefix ${prefix} released: its quarantine ran out`);
    }
    switch (decided.outcome) {
      case 'blocked':
        await this.withdraw(admission);
        this.decided('blocked', country);
        throw new DeliveryBlockedError();
      case 'would_block':
        this.decided('would_block', country);
        break;
      case 'quarantined':
        this.decided('quarantined', country, {
          prefix: { digits: prefix, sends: decided.sends, approvals: decided.approvals },
          until: decided.quarantinedUntil,
        });
        this.logger.warn(
          `Prefix ${prefix} (${country}) quarantined until ${new Date(decided.quarantinedUntil).toISOString()}: sends=${decided.sends} approvals=${decided.approvals} conversion=${conversionOf(decided.sends, decided.approvals)}${this.prefixPolicy.enforce ? '' : ' (shadow mode: nothing is refused)'}`,
        );
        break;
    }
    admission.prefix = { prefix, bucket: decided.bucket };
    return admission;
  }

  /** Best effort: the request fails anyway, and a send left counted only makes the guard stricter. */
  private async withdraw(admission: Admission): Promise<void> {
    const { prefix, country } = admission;
    await Promise.all([
      prefix && this.store.withdrawPrefixSend(prefix.prefix, prefix.bucket),
      country && this.store.withdrawCountrySend(country.country, country.bucket),
    ]).catch(() =>
      this.logger.warn('A refused send could not be given back: the store is unavailable'),
    );
  }

  private prefixOf(phone: Pick<PhoneNumber, 'e164'>): string {
    return phone.e164.slice(1, 1 + this.settings.prefixDigits);
  }

  private isSafe(phone: Pick<PhoneNumber, 'e164'>): boolean {
    const digits = phone.e164.slice(1);
    return this.settings.safePrefixes.some((safe) => digits.startsWith(safe));
  }

  /** Every decision reaches the host's observer (the metrics) and the signed events alike. */
  private decided(
    decision: FraudGuardDecision,
    country: string,
    facts: Omit<FraudGuardDecisionEvent, 'decision' | 'country'> = {},
  ): void {
    const event = { decision, country, ...facts };
    this.observer?.fraudGuardDecision(event);
    this.events.fraudGuardDecision(event);
  }
}

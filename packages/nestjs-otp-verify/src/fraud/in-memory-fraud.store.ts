import { COUNTRY_BUDGET_WINDOW_MS } from './fraud-guard-options.js';
import type {
  CountryAdmission,
  FraudStore,
  PrefixAdmission,
  PrefixPolicy,
  QuarantinedPrefix,
} from './fraud-store.js';

/** Two weighted fixed buckets, as in the Redis scripts (`SLIDING_WINDOW_LUA`). */
interface Buckets {
  bucket: number;
  ps: number;
  pa: number;
  cs: number;
  ca: number;
  expiresAt: number;
  quarantine?: Omit<QuarantinedPrefix, 'prefix'>;
}

const round = (value: number): number => Math.round(value * 100) / 100;

/**
 * The Redis store's semantics in one process, for development and host-app tests. Each method
 * runs to completion without awaiting, which makes it as atomic as a Lua script.
 */
export class InMemoryFraudStore implements FraudStore {
  private readonly prefixes = new Map<string, Buckets>();
  private readonly countries = new Map<string, Buckets>();
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async admitPrefix(
    prefix: string,
    country: string,
    policy: PrefixPolicy,
  ): Promise<PrefixAdmission> {
    this.sweepNowAndThen();
    const now = this.now();
    const { state, weight, bucket } = this.roll(this.prefixes, prefix, policy.windowMs, now);
    let expired = false;
    if (state.quarantine && state.quarantine.quarantinedUntil <= now) {
      state.quarantine = undefined;
      expired = true;
    }
    const until = state.quarantine?.quarantinedUntil ?? 0;
    if (until > 0 && policy.enforce) {
      return {
        outcome: 'blocked',
        bucket: -1,
        sends: round(state.ps * weight + state.cs),
        approvals: round(state.pa * weight + state.ca),
        quarantinedUntil: until,
        expired,
      };
    }
    state.cs += 1;
    const sends = state.ps * weight + state.cs;
    const approvals = state.pa * weight + state.ca;
    let outcome: PrefixAdmission['outcome'] = 'admitted';
    if (until > 0) {
      outcome = 'would_block';
    } else if (sends >= policy.minSends && approvals / sends < policy.minConversion) {
      state.quarantine = {
        country,
        sends: round(sends),
        approvals: round(approvals),
        quarantinedUntil: now + policy.quarantineMs,
      };
      outcome = 'quarantined';
    }
    const quarantinedUntil = state.quarantine?.quarantinedUntil ?? 0;
    state.expiresAt = now + Math.max(2 * policy.windowMs, quarantinedUntil - now + policy.windowMs);
    return {
      outcome,
      bucket,
      sends: round(sends),
      approvals: round(approvals),
      quarantinedUntil,
      expired,
    };
  }

  async admitCountry(country: string, limit: number, enforce: boolean): Promise<CountryAdmission> {
    const window = COUNTRY_BUDGET_WINDOW_MS;
    const now = this.now();
    const { state, weight, bucket } = this.roll(this.countries, country, window, now);
    let retryAfterMs = 0;
    if (state.ps * weight + state.cs + 1 > limit) {
      const elapsed = now - bucket * window;
      const wait =
        state.cs + 1 > limit
          ? window - elapsed + window * Math.max(1 - (limit - 1) / state.cs, 0)
          : window * (weight - (limit - 1 - state.cs) / state.ps);
      retryAfterMs = Math.max(Math.ceil(wait), 1000);
      if (enforce) return { outcome: 'exceeded', bucket: -1, retryAfterMs };
    }
    state.cs += 1;
    state.expiresAt = now + 2 * window;
    return { outcome: retryAfterMs > 0 ? 'would_exceed' : 'admitted', bucket, retryAfterMs };
  }

  async withdrawPrefixSend(prefix: string, bucket: number): Promise<void> {
    this.withdraw(this.prefixes.get(prefix), bucket);
  }

  async withdrawCountrySend(country: string, bucket: number): Promise<void> {
    this.withdraw(this.countries.get(country), bucket);
  }

  async recordApproval(prefix: string, windowMs: number): Promise<void> {
    if (!this.live(this.prefixes, prefix)) return;
    this.roll(this.prefixes, prefix, windowMs, this.now()).state.ca += 1;
  }

  async quarantined(): Promise<QuarantinedPrefix[]> {
    const now = this.now();
    return [...this.prefixes].flatMap(([prefix, state]) =>
      state.quarantine && state.quarantine.quarantinedUntil > now
        ? [{ prefix, ...state.quarantine }]
        : [],
    );
  }

  async release(prefix: string): Promise<QuarantinedPrefix | undefined> {
    const quarantine = this.live(this.prefixes, prefix)?.quarantine;
    if (!quarantine || quarantine.quarantinedUntil <= this.now()) return undefined;
    this.prefixes.delete(prefix);
    return { prefix, ...quarantine };
  }

  private roll(map: Map<string, Buckets>, key: string, window: number, now: number) {
    const bucket = Math.floor(now / window);
    let state = this.live(map, key);
    if (!state) {
      state = { bucket, ps: 0, pa: 0, cs: 0, ca: 0, expiresAt: now + 2 * window };
      map.set(key, state);
    }
    if (state.bucket !== bucket) {
      [state.ps, state.pa] = state.bucket === bucket - 1 ? [state.cs, state.ca] : [0, 0];
      state.cs = state.ca = 0;
      state.bucket = bucket;
    }
    return { state, bucket, weight: 1 - (now - bucket * window) / window };
  }

  private withdraw(state: Buckets | undefined, bucket: number): void {
    if (!state) return;
    if (state.bucket === bucket && state.cs > 0) state.cs -= 1;
    else if (state.bucket === bucket + 1 && state.ps > 0) state.ps -= 1;
  }

  private live(map: Map<string, Buckets>, key: string): Buckets | undefined {
    const state = map.get(key);
    if (state && state.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return state;
  }

  /** Expired entries are otherwise only dropped when read; prefixes never seen again would pile up. */
  private sweepNowAndThen(): void {
    if (++this.writes % 1000 !== 0) return;
    const now = this.now();
    for (const map of [this.prefixes, this.countries]) {
      for (const [key, state] of map) if (state.expiresAt <= now) map.delete(key);
    }
  }
}

import type {
  CounterReport,
  FraudStore,
  Quarantine,
  SendAdmission,
  SendCounter,
  SendPolicy,
  WatchedCounter,
} from './fraud-store.js';

/** Two weighted fixed buckets, as in the Redis scripts (`SLIDING_WINDOW_LUA`). */
interface Buckets {
  bucket: number;
  ps: number;
  pa: number;
  cs: number;
  ca: number;
  expiresAt: number;
  /** The bucket in which a global budget last passed 80 %. */
  warnedBucket?: number;
  quarantine?: Omit<Quarantine, 'prefix'>;
}

/** A counter rolled forward to now, as `loadWindow` reads it. */
interface Window {
  state: Buckets;
  bucket: number;
  weight: number;
  windowMs: number;
}

type CounterWindow = Window & { counter: SendCounter };

const round = (value: number): number => Math.round(value * 100) / 100;
const sendsOf = ({ state, weight }: Window): number => state.ps * weight + state.cs;
const approvalsOf = ({ state, weight }: Window): number => state.pa * weight + state.ca;
const keyOf = (counter: Pick<SendCounter, 'kind' | 'id'>): string =>
  `${counter.kind}:${counter.id}`;

/**
 * The Redis store's semantics in one process, for development and host-app tests. Each method
 * runs to completion without awaiting, which makes it as atomic as a Lua script.
 */
export class InMemoryFraudStore implements FraudStore {
  private readonly counters = new Map<string, Buckets>();
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async admitSend(counters: SendCounter[], policy: SendPolicy): Promise<SendAdmission> {
    this.sweepNowAndThen();
    const now = this.now();
    const windows: CounterWindow[] = counters.map((counter) => {
      const windowMs = 'windowMs' in counter ? counter.windowMs : policy.windowMs;
      return { counter, ...this.roll(keyOf(counter), windowMs, now) };
    });
    const reports: CounterReport[] = windows.map((w) => {
      const quarantine = w.state.quarantine;
      const expired = quarantine !== undefined && quarantine.quarantinedUntil <= now;
      if (expired) w.state.quarantine = undefined;
      return this.reportOf(w, expired);
    });
    const refuse = (outcome: SendAdmission['outcome'], i: number): SendAdmission => ({
      outcome,
      decidedBy: reports[i],
      counters: reports,
    });

    for (const [i, w] of windows.entries()) {
      const counter = w.counter;
      if (!('limit' in counter)) continue;
      const limit = counter.limit;
      if (sendsOf(w) + 1 <= limit) continue;
      const { state, weight, windowMs } = w;
      const wait =
        state.cs + 1 > limit
          ? windowMs -
            (now - w.bucket * windowMs) +
            windowMs * Math.max(1 - (limit - 1) / state.cs, 0)
          : windowMs * (weight - (limit - 1 - state.cs) / state.ps);
      reports[i].retryAfterMs = Math.min(Math.max(Math.ceil(wait), 1000), windowMs);
      return refuse('over_budget', i);
    }
    if (policy.enforce && policy.challenge !== 'passed') {
      const held = windows.findIndex((w) => w.state.quarantine !== undefined);
      if (held >= 0) return refuse(policy.challenge === 'ask' ? 'challenge' : 'blocked', held);
    }
    if (policy.challenge === 'ask') {
      const warm = windows.findIndex(
        (w) => w.counter.kind === 'global_budget' && sendsOf(w) >= 0.8 * w.counter.limit,
      );
      if (warm >= 0) return refuse('challenge', warm);
    }

    for (const [i, w] of windows.entries()) {
      const { state, counter } = w;
      state.cs += 1;
      const sends = sendsOf(w);
      let quarantined = false;
      let warned = false;
      if ((counter.kind === 'prefix' || counter.kind === 'country') && !state.quarantine) {
        const approvals = approvalsOf(w);
        if (sends >= counter.minSends && approvals / sends < policy.minConversion) {
          state.quarantine = {
            country: policy.country,
            sends: round(sends),
            approvals: round(approvals),
            quarantinedUntil: now + policy.quarantineMs,
          };
          quarantined = true;
        }
      } else if (counter.kind === 'global_budget' && sends >= 0.8 * counter.limit) {
        warned = state.warnedBucket !== w.bucket;
        state.warnedBucket = w.bucket;
      }
      const until = state.quarantine?.quarantinedUntil ?? 0;
      state.expiresAt = now + Math.max(2 * w.windowMs, until - now + w.windowMs);
      reports[i] = {
        ...this.reportOf(w, reports[i].expired),
        bucket: w.bucket,
        quarantined,
        warned,
      };
    }
    return { outcome: 'admitted', counters: reports };
  }

  /** A watched counter's quarantine needs no window; a global budget has its own. */
  async atRisk(counters: SendCounter[]): Promise<boolean> {
    const now = this.now();
    return counters.some((counter) => {
      const state = this.live(keyOf(counter));
      if (!state) return false;
      if ('minSends' in counter) return (state.quarantine?.quarantinedUntil ?? 0) > now;
      if (counter.kind !== 'global_budget') return false;
      const bucket = Math.floor(now / counter.windowMs);
      const previous =
        state.bucket === bucket ? state.ps : state.bucket === bucket - 1 ? state.cs : 0;
      const current = state.bucket === bucket ? state.cs : 0;
      const weight = 1 - (now - bucket * counter.windowMs) / counter.windowMs;
      return previous * weight + current >= 0.8 * counter.limit;
    });
  }

  async withdrawSend(admission: SendAdmission): Promise<void> {
    for (const { counter, bucket } of admission.counters) {
      const state = this.live(keyOf(counter));
      if (!state || bucket < 0) continue;
      if (state.bucket === bucket && state.cs > 0) state.cs -= 1;
      else if (state.bucket === bucket + 1 && state.ps > 0) state.ps -= 1;
    }
  }

  async recordApproval(
    counters: WatchedCounter[],
    windowMs: number,
    minConversion: number,
  ): Promise<Quarantine[]> {
    const now = this.now();
    const released: Quarantine[] = [];
    for (const counter of counters) {
      if (!this.live(keyOf(counter))) continue;
      const w = this.roll(keyOf(counter), windowMs, now);
      w.state.ca += 1;
      const quarantine = w.state.quarantine;
      const sends = sendsOf(w);
      if (
        quarantine &&
        quarantine.quarantinedUntil > now &&
        approvalsOf(w) / sends >= minConversion
      ) {
        this.counters.delete(keyOf(counter));
        released.push({
          ...quarantine,
          prefix: counter.kind === 'prefix' ? counter.id : null,
          sends: round(sends),
          approvals: round(approvalsOf(w)),
        });
      }
    }
    return released;
  }

  async quarantined(): Promise<Quarantine[]> {
    const now = this.now();
    return [...this.counters].flatMap(([key, state]) => {
      const quarantine = state.quarantine;
      if (!quarantine || quarantine.quarantinedUntil <= now) return [];
      const [kind, id] = key.split(':');
      return [{ prefix: kind === 'prefix' ? id : null, ...quarantine }];
    });
  }

  async release(counter: Pick<WatchedCounter, 'kind' | 'id'>): Promise<Quarantine | undefined> {
    const quarantine = this.live(keyOf(counter))?.quarantine;
    if (!quarantine || quarantine.quarantinedUntil <= this.now()) return undefined;
    this.counters.delete(keyOf(counter));
    return { prefix: counter.kind === 'prefix' ? counter.id : null, ...quarantine };
  }

  private reportOf(w: CounterWindow, expired: boolean): CounterReport {
    return {
      counter: w.counter,
      bucket: -1,
      sends: round(sendsOf(w)),
      approvals: round(approvalsOf(w)),
      quarantinedUntil: w.state.quarantine?.quarantinedUntil ?? 0,
      expired,
      quarantined: false,
      warned: false,
      retryAfterMs: 0,
    };
  }

  private roll(key: string, windowMs: number, now: number): Window {
    const bucket = Math.floor(now / windowMs);
    let state = this.live(key);
    if (!state) {
      state = { bucket, ps: 0, pa: 0, cs: 0, ca: 0, expiresAt: now + 2 * windowMs };
      this.counters.set(key, state);
    }
    if (state.bucket !== bucket) {
      [state.ps, state.pa] = state.bucket === bucket - 1 ? [state.cs, state.ca] : [0, 0];
      state.cs = state.ca = 0;
      state.bucket = bucket;
    }
    return { state, bucket, weight: 1 - (now - bucket * windowMs) / windowMs, windowMs };
  }

  private live(key: string): Buckets | undefined {
    const state = this.counters.get(key);
    if (state && state.expiresAt <= this.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return state;
  }

  /** Expired entries are otherwise only dropped when read; counters never seen again would pile up. */
  private sweepNowAndThen(): void {
    if (++this.writes % 1000 !== 0) return;
    const now = this.now();
    for (const [key, state] of this.counters) if (state.expiresAt <= now) this.counters.delete(key);
  }
}

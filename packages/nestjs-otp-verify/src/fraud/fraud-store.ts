import type { RedisDeadline } from '../store/redis-deadline.js';
/**
 * One counter a send is admitted against. A watched counter (a prefix, a country) is judged by
 * its conversion and quarantined; a budget caps sends over its own window.
 */
export type SendCounter =
  | { kind: 'prefix' | 'country'; id: string; minSends: number }
  | { kind: 'country_budget' | 'global_budget'; id: string; limit: number; windowMs: number };

export type WatchedCounter = Extract<SendCounter, { kind: 'prefix' | 'country' }>;

/**
 * `none`: a quarantine refuses; `ask`: a quarantine, or a global budget past 80 %, asks for a
 * challenge; `passed`: the caller passed one, so a quarantine admits and counts.
 */
export type ChallengeState = 'none' | 'ask' | 'passed';

export interface SendPolicy {
  /** The watched counters' sliding window. */
  windowMs: number;
  minConversion: number;
  quarantineMs: number;
  /** False in shadow mode: a quarantine is reported, never refused. Budgets always refuse. */
  enforce: boolean;
  challenge: ChallengeState;
  /** The number's country, kept with a quarantine for the listing. */
  country: string;
}

export interface CounterReport {
  counter: SendCounter;
  /** The window bucket this send was counted in, to give it back; -1 when nothing was counted. */
  bucket: number;
  /** Sliding-window figures, this send included when it was counted. */
  sends: number;
  approvals: number;
  /** Epoch ms; 0 when not quarantined. */
  quarantinedUntil: number;
  /** This call found a quarantine that had run out, and lifted it. */
  expired: boolean;
  /** This send put the counter in quarantine. */
  quarantined: boolean;
  /** This send took a global budget past 80 %, the first to do so in its bucket. */
  warned: boolean;
  /** For the budget that refused: until the same send would pass. */
  retryAfterMs: number;
}

export interface SendAdmission {
  /**
   * `admitted`: counted everywhere; `blocked`: a quarantine refused; `challenge`: a quarantine or
   * a global budget past 80 % needs a challenge; `over_budget`: a budget refused. Nothing is
   * counted unless admitted.
   */
  outcome: 'admitted' | 'blocked' | 'challenge' | 'over_budget';
  /** The counter that refused; undefined when admitted. */
  decidedBy?: CounterReport;
  counters: CounterReport[];
}

export interface Quarantine {
  /** Null for a country's quarantine. */
  prefix: string | null;
  country: string;
  /** The figures that put it in quarantine. */
  sends: number;
  approvals: number;
  /** Epoch ms. */
  quarantinedUntil: number;
}

/**
 * The guard's counters, shared by every instance. An admission is atomic per Redis slot, so
 * concurrent requests can never all pass a budget or a threshold. Implementations throw
 * `StoreUnavailableError` when the backing store cannot answer.
 */
/** `deadline`: the calling request's (see store/redis-deadline.ts); a call without one gets its own. */
export interface FraudStore {
  /** Counts one send against every counter, or refuses it and counts nothing. */
  admitSend(
    counters: SendCounter[],
    policy: SendPolicy,
    deadline?: RedisDeadline,
  ): Promise<SendAdmission>;
  /**
   * Whether a watched counter among `counters` is quarantined, or a global budget is past 80 %;
   * reads only.
   */
  atRisk(counters: SendCounter[], windowMs: number, deadline?: RedisDeadline): Promise<boolean>;
  /** Gives back an admitted send that was never made. */
  withdrawSend(admission: SendAdmission, deadline?: RedisDeadline): Promise<void>;
  /**
   * Counts an approved code for watched counters that have sends in the window; lifts the
   * quarantine of those whose conversion is back at `minConversion`, and returns them.
   */
  recordApproval(
    counters: WatchedCounter[],
    windowMs: number,
    minConversion: number,
    deadline?: RedisDeadline,
  ): Promise<Quarantine[]>;
  /** Every prefix and country quarantined now. */
  quarantined(): Promise<Quarantine[]>;
  /** Lifts a quarantine and clears its counts; undefined if it was not quarantined. */
  release(counter: Pick<WatchedCounter, 'kind' | 'id'>): Promise<Quarantine | undefined>;
}

export interface PrefixPolicy {
  windowMs: number;
  minSends: number;
  minConversion: number;
  quarantineMs: number;
  /** False in shadow mode: a quarantined prefix is still counted and never refused. */
  enforce: boolean;
}

export interface PrefixAdmission {
  /**
   * `admitted`; `quarantined`: admitted, and this send put the prefix in quarantine;
   * `would_block`: quarantined but admitted (shadow mode); `blocked`: refused, nothing counted.
   */
  outcome: 'admitted' | 'quarantined' | 'would_block' | 'blocked';
  /** The window bucket this send was counted in, to give it back; -1 when none was counted. */
  bucket: number;
  /** The prefix's sliding-window figures, this send included. */
  sends: number;
  approvals: number;
  /** Epoch ms; 0 when not quarantined. */
  quarantinedUntil: number;
  /** This request found a quarantine that had run out, and lifted it. */
  expired: boolean;
}

export interface CountryAdmission {
  /** `would_exceed`: over budget but admitted and counted (shadow mode). */
  outcome: 'admitted' | 'exceeded' | 'would_exceed';
  bucket: number;
  /** Until the same request would pass; 0 when admitted within budget. */
  retryAfterMs: number;
}

export interface QuarantinedPrefix {
  prefix: string;
  country: string;
  /** The figures that put the prefix in quarantine. */
  sends: number;
  approvals: number;
  /** Epoch ms. */
  quarantinedUntil: number;
}

/**
 * The guard's counters, shared by every instance. Each admission is one atomic step, so
 * concurrent requests can never all pass a budget or a threshold. Implementations throw
 * `StoreUnavailableError` when the backing store cannot answer.
 */
export interface FraudStore {
  /** Refuses a send to a quarantined prefix, or counts it and quarantines on a poor conversion. */
  admitPrefix(prefix: string, country: string, policy: PrefixPolicy): Promise<PrefixAdmission>;
  /** Counts a send against its country's budget over a rolling 24 hours, unless it is spent. */
  admitCountry(country: string, limit: number, enforce: boolean): Promise<CountryAdmission>;
  /** Gives back a send counted by `admitPrefix` that was never made. */
  withdrawPrefixSend(prefix: string, bucket: number): Promise<void>;
  /** Gives back a send counted by `admitCountry` that was never made. */
  withdrawCountrySend(country: string, bucket: number): Promise<void>;
  /** Counts an approved code for a prefix that has sends in the window. */
  recordApproval(prefix: string, windowMs: number): Promise<void>;
  /** Every prefix quarantined now. */
  quarantined(): Promise<QuarantinedPrefix[]>;
  /** Lifts a quarantine and clears the prefix's counts; undefined if it was not quarantined. */
  release(prefix: string): Promise<QuarantinedPrefix | undefined>;
}

export type FraudGuardDecision =
  'quarantined' | 'blocked' | 'would_block' | 'budget_exceeded' | 'released';

export interface FraudGuardDecisionEvent {
  decision: FraudGuardDecision;
  /** ISO 3166 alpha-2 code of the number's country; `001` for the international networks. */
  country: string;
  /** The digits of a quarantined prefix, with the counts that put it there. */
  prefix?: { digits: string; sends: number; approvals: number };
  /** Until when the decision holds (ms since the epoch), when it passes with time. */
  until?: number;
}

/**
 * Learns of every decision of the fraud guard. Optional: a host app that provides none (globally)
 * gets the log lines only; the standalone service binds its metrics here.
 */
export interface FraudGuardObserver {
  fraudGuardDecision(event: FraudGuardDecisionEvent): void;
}

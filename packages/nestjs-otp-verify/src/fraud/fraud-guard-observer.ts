export type FraudGuardDecision =
  'quarantined' | 'blocked' | 'challenged' | 'would_block' | 'budget_exceeded' | 'released';

export interface FraudGuardDecisionEvent {
  decision: FraudGuardDecision;
  /** ISO 3166 alpha-2 code of the number's country; `001` for the international networks. */
  country: string;
  /** The prefix decided on; absent when the decision is about a country or a budget. */
  prefix?: string;
  /** The budget that refused, or that a challenge was asked for. */
  budget?: 'country' | 'hour' | 'day';
  /** The sliding-window figures behind the decision, when it is about a prefix or a country. */
  sends?: number;
  approvals?: number;
  conversion?: number;
  /** Epoch ms, for a quarantine. */
  quarantinedUntil?: number;
  /** Released by an operator (the admin routes) rather than by time or approvals. */
  byOperator?: boolean;
  /** A challenge asked for by one of the challenge step's own triggers, not the guard's. */
  trigger?: 'always' | 'client_requests' | 'number_failures' | 'fraud_guard';
}

export interface GlobalBudgetWarningEvent {
  window: 'hour' | 'day';
  limit: number;
  /** Sends in the rolling window, this one included. */
  sends: number;
}

/**
 * Learns of every decision of the fraud guard, of each global budget passing 80 % (once per
 * window, across instances) and of each challenge outcome. Optional: a host app that provides none (globally) gets the log
 * lines only; the standalone service binds its metrics here.
 */
export interface FraudGuardObserver {
  fraudGuardDecision(event: FraudGuardDecisionEvent): void;
  globalBudgetWarning?(event: GlobalBudgetWarningEvent): void;
  /** Each challenge outcome: `required`, `passed`, `failed`, `unavailable`. */
  challengeOutcome?(outcome: 'required' | 'passed' | 'failed' | 'unavailable'): void;
}

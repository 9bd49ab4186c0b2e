/**
 * What the service must reach (issue #26): its rate over the prescribed peer's on each path, per
 * kind of store; the Redis CPU per answer on one Redis; the Redis bytes per pending code. Each
 * is printed as met or missed for the median of the rounds.
 */
export type PathName = 'request' | 'verify-wrong' | 'verify-right' | 'refused';

export interface Target {
  path: PathName;
  /** The status every answer on the path must have; any other counts as unexpected. */
  expected: number;
  /** The peer's path the product is compared with. */
  versus: PathName;
  /** Product ÷ prescribed peer, at least: on one Redis, and on a Redis Cluster. */
  single: number;
  cluster: number;
}

export const TARGETS: Target[] = [
  { path: 'request', expected: 202, versus: 'request', single: 1.5, cluster: 1.2 },
  { path: 'verify-wrong', expected: 400, versus: 'verify-wrong', single: 1.8, cluster: 1.5 },
  { path: 'verify-right', expected: 200, versus: 'verify-right', single: 1.25, cluster: 1.0 },
  // A client already refused costs the service a known answer: compared with the cheapest peer path.
  { path: 'refused', expected: 429, versus: 'verify-wrong', single: 2.5, cluster: 2.5 },
];

/** The service's Redis CPU per answer on one Redis, in microseconds, at most. */
export const REDIS_CPU_TARGETS_US: Partial<Record<PathName, number>> = {
  request: 20,
  'verify-wrong': 12,
};

/** Redis `used_memory` per pending code, in bytes, at most. */
export const MEMORY_TARGET_BYTES = 250;

export const verdict = (met: boolean): string => (met ? 'met' : 'missed');

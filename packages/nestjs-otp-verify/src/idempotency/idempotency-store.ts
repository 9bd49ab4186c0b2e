import type { RedisDeadline } from '../store/redis-deadline.js';
/** The first answer to a request with an `Idempotency-Key`, as it is replayed. */
export interface StoredAnswer {
  status: number;
  body: unknown;
  retryAfterSeconds?: number;
}

export type IdempotencyClaim =
  { outcome: 'claimed' | 'reused' | 'in_use' } | { outcome: 'replay'; answer: StoredAnswer };

/**
 * Keys of callers, each with the fingerprint of the body it came with. Each method is one atomic
 * step, so of two instances claiming one key at once exactly one serves the request.
 */
export interface IdempotencyStore {
  /** Claims `key` for a request with `fingerprint`, or says why not: reused, in use, or its answer. */
  claim(
    key: string,
    fingerprint: string,
    inFlightMs: number,
    deadline?: RedisDeadline,
  ): Promise<IdempotencyClaim>;
  /** Keeps the answer for `ttlMs`, for the claim's holder. */
  complete(
    key: string,
    fingerprint: string,
    answer: StoredAnswer,
    ttlMs: number,
    deadline?: RedisDeadline,
  ): Promise<void>;
  /** Whether `key` holds an answer to replay. */
  answered(key: string, deadline?: RedisDeadline): Promise<boolean>;
  /** Frees a claimed key whose request failed on the server's side, so a retry runs afresh. */
  release(key: string, fingerprint: string, deadline?: RedisDeadline): Promise<void>;
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/**
 * How long one request may spend on Redis in all, from the moment the module first sees it: its
 * answer, a 503 at worst, must leave within 2 s of its arrival whatever stalls, however many
 * calls it makes (throttler, fraud guard, store).
 */
export const REDIS_GIVE_UP_AFTER_MS = 1700;
/**
 * Scripts must have started this much before the service stops waiting for them: the time a
 * reply needs to reach the process (Redis writes replies after the commands it has just run,
 * then the network and this process's event loop). Clock offsets are measured conservatively
 * (see redis-clock.ts), so this margin is not eaten by their error.
 */
export const REDIS_REPLY_MARGIN_MS = 250;

/**
 * The one deadline of a request's Redis calls, in this process's monotonic clock. Every write
 * script carries it (see redis-scripts.ts), so Redis itself refuses a script it runs too late.
 * It also holds the undos of writes that completed: when the request ends in `store_unavailable`
 * they are sent, so that the 503 leaves nothing behind (a throttler hit, for one).
 */
export class RedisDeadline {
  private readonly undos: (() => Promise<unknown>)[] = [];

  private constructor(private giveUpAtMs: number) {}

  /** When the request stops waiting for Redis, in this process's monotonic clock. */
  get giveUpAt(): number {
    return this.giveUpAtMs;
  }

  static startingNow(): RedisDeadline {
    return new RedisDeadline(performance.now() + REDIS_GIVE_UP_AFTER_MS);
  }

  /** The last moment, in this process's clock, at which Redis may start a write of the request. */
  get lastStartAt(): number {
    return this.giveUpAt - REDIS_REPLY_MARGIN_MS;
  }

  remainingMs(): number {
    return Math.max(this.giveUpAt - performance.now(), 0);
  }

  /**
   * Runs `work`, which does not use Redis (an SMS provider's call), without spending the
   * request's Redis time: the deadline moves on by as long as it took, so the calls that follow
   * (a revoke, a record of the send) get the time the request had left before it.
   */
  async excluding<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.giveUpAtMs += performance.now() - started;
    }
  }

  /** Registers what gives back a completed write if the request fails for want of the store. */
  undoIfUnavailable(undo: () => Promise<unknown>): void {
    this.undos.push(undo);
  }

  /** Sends every registered undo; nobody waits for them, Redis runs them when it can. */
  undo(): void {
    for (const undo of this.undos.splice(0)) undo().catch(() => undefined);
  }
}

const current = new AsyncLocalStorage<RedisDeadline>();
const ofRequest = new WeakMap<object, RedisDeadline>();

/** Runs `work` with `deadline` as the deadline of every Redis call it makes. */
export function withRedisDeadline<T>(deadline: RedisDeadline, work: () => T): T {
  return current.run(deadline, work);
}

/**
 * The deadline of the calling request; a call made outside any request (a host app calling
 * `OtpService` from its own code, a readiness probe) gets a deadline of its own.
 */
export function currentRedisDeadline(): RedisDeadline {
  return current.getStore() ?? RedisDeadline.startingNow();
}

/** One deadline per HTTP request, started the first time the module sees it. */
export function requestRedisDeadline(request: object): RedisDeadline {
  let deadline = ofRequest.get(request);
  if (!deadline) {
    deadline = RedisDeadline.startingNow();
    ofRequest.set(request, deadline);
  }
  return deadline;
}

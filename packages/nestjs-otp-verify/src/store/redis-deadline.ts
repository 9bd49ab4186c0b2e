import { performance } from 'node:perf_hooks';
import { StoreUnavailableError } from '../otp.errors.js';
import type { RedisClient } from './redis-connection.js';
import type { ScriptRider } from './script-rider.js';

/**
 * How long one request may spend on Redis in all, from the moment the module first sees it: its
 * answer, a 503 at worst, must leave within 2 s of its arrival whatever stalls, however many
 * calls it makes (throttler, fraud guard, store). The half second left is for what comes before
 * and after on a loaded machine: reading the request, the answer's own way out.
 */
export const REDIS_GIVE_UP_AFTER_MS = 1500;
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
  private rider?: ScriptRider;

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

  /** Leaves `rider` to the request's next write script (see script-rider.ts). */
  carry(rider: ScriptRider): void {
    this.rider = rider;
  }

  /** The rider for a write script about to be sent to `redis`, which then carries it. */
  takeRider(redis: RedisClient): ScriptRider | undefined {
    const rider = this.rider;
    if (rider?.redis !== redis) return undefined;
    this.rider = undefined;
    return rider;
  }

  /** The request is answered: a rider no script carried makes its write alone. */
  ended(): void {
    const rider = this.rider;
    this.rider = undefined;
    rider?.alone().catch(() => undefined);
  }

  /** Sends every registered undo; nobody waits for them, Redis runs them when it can. */
  undo(): void {
    for (const undo of this.undos.splice(0)) undo().catch(() => undefined);
  }
}

const ofRequest = new WeakMap<object, RedisDeadline>();

/** One deadline per HTTP request, started the first time the module sees it. */
export function requestRedisDeadline(request: object): RedisDeadline {
  let deadline = ofRequest.get(request);
  if (!deadline) {
    deadline = RedisDeadline.startingNow();
    ofRequest.set(request, deadline);
  }
  return deadline;
}

/**
 * Runs a route's work with its request's deadline, the one the throttler's guard started, and
 * sends the undos of what completed if the request fails for want of the store. Called by the
 * controller itself: an interceptor would put every request through RxJS, which doubled the CPU
 * of a request for a code.
 *
 * The deadline is handed down as an argument to every call that reaches Redis, not kept in an
 * AsyncLocalStorage: on Node 20 one AsyncLocalStorage in use turns on promise hooks for every
 * promise of the process, which cost a sixth to a fifth of the CPU of each answer. A call given
 * none (a host app calling `OtpService` from its own code, a readiness probe) gets its own.
 */
export async function withRequestRedisDeadline<T>(
  request: object,
  work: (deadline: RedisDeadline) => Promise<T>,
): Promise<T> {
  const deadline = requestRedisDeadline(request);
  try {
    return await work(deadline);
  } catch (error) {
    if (error instanceof StoreUnavailableError) deadline.undo();
    throw error;
  }
}

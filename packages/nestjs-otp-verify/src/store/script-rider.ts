import type { RedisClient } from './redis-connection.js';
import type { RedisScript } from './redis-scripts.js';

/**
 * A write that one part of a request leaves to the request's next write script, so that both
 * reach Redis in one round trip: the per-client throttler's hit rides on the code's script. Only
 * on one Redis, where every key may share a script. A request that ends without a write script
 * makes the rider's write on its own (`alone`).
 */
export interface ScriptRider {
  /** The Redis its keys are on: only a script sent there may carry it. */
  readonly redis: RedisClient;
  /** Its keys and arguments, in front of the carrying script's. */
  readonly keys: string[];
  readonly args: (string | number)[];
  /** `script` with the rider's lines first: they may end it early with a reply of their own. */
  carriedBy(script: RedisScript): RedisScript;
  /** Reads the carrying script's reply: throws the rider's refusal, or lets it through. */
  settle(reply: unknown): void;
  /** Its write alone, for a request that ended without a write script. */
  alone(): Promise<unknown>;
}

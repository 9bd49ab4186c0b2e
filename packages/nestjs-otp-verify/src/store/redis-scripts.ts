import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EvictionPolicy } from './eviction-policy.js';
import { RedisClock } from './redis-clock.js';
import { RedisDeadline } from './redis-deadline.js';
import type { RedisClient } from './redis-connection.js';
import type { ScriptRider } from './script-rider.js';

/**
 * A Lua script the module runs on Redis. Every script reads Redis's clock once, as `now`
 * (milliseconds), before its own lines.
 *
 * A `write` also carries the deadline of the request it serves (see redis-deadline.ts), as an
 * extra last ARGV that its own lines never read (they read ARGV by position and never count
 * it: `#ARGV` and `ipairs(ARGV)` would see the deadline), and does nothing if Redis runs it after that
 * deadline: a Redis that stalls (a pause, a slow disk, SIGSTOP) runs what waits in its socket
 * once it resumes, long after the service answered 503, and that 503 must have changed nothing.
 * The deadline is checked against Redis's own clock, so no instance's clock needs to be right.
 *
 * An `undo` gives back what a write that completed took (a send that was never made, a hit of a
 * request that failed). It is right whenever Redis runs it, so it carries no deadline and is
 * sent even after the request gave up; Redis runs it, in order, once it resumes.
 */
export interface RedisScript {
  readonly name: string;
  /** Its own lines, without the clock and deadline it is sent with (see script-rider.ts). */
  readonly body: string;
  readonly numberOfKeys: number;
  readonly kind: 'write' | 'undo';
  /** The script as sent: the clock and, for a write, the deadline check, then its own lines. */
  readonly lua: string;
  /** Its SHA-1, the name Redis caches it under. */
  readonly sha: string;
}

/** The reply of a write that Redis ran after its deadline. */
export const DEADLINE_PASSED = 'OTPDEADLINE';

const READ_CLOCK = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

// The deadline is the last ARGV. A script's own lines read ARGV by position and never count it,
// so the deadline stays where it is: a copy of ARGV without it cost a write 2 µs of Redis's CPU.
const CHECK_DEADLINE = `
if now >= tonumber(ARGV[#ARGV]) then
  return redis.error_reply('${DEADLINE_PASSED} Redis ran this script after its deadline; it wrote nothing')
end`;

/**
 * Declares a script. `name` names it in errors and tests (unique in the module); `lua`
 * documents its KEYS, ARGV and replies and may use `now`.
 */
export function redisScript(
  name: string,
  numberOfKeys: number,
  kind: RedisScript['kind'],
  lua: string,
): RedisScript {
  const prelude = kind === 'write' ? READ_CLOCK + CHECK_DEADLINE : READ_CLOCK;
  const source = `${prelude}\n${lua}`;
  const sha = createHash('sha1').update(source).digest('hex');
  return { name, body: lua, numberOfKeys, kind, lua: source, sha };
}

type Arg = string | number;

/**
 * Runs the module's scripts and commands on one Redis client (or cluster) within the calling
 * request's deadline, and only while the Redis's eviction policy allows (see eviction-policy.ts).
 * One per client, shared by every store on it: get it with `redisScripts(client)`.
 */
export class RedisScripts {
  readonly evictionPolicy: EvictionPolicy;
  private readonly clock: RedisClock;

  constructor(private readonly redis: RedisClient) {
    this.clock = new RedisClock(redis);
    this.evictionPolicy = new EvictionPolicy(redis);
  }

  /**
   * Runs `script` and resolves with its reply, or rejects once the request's deadline has come:
   * a `write` that rejected for any reason has then either not run or will do nothing.
   */
  run<T>(
    script: RedisScript,
    keys: string[],
    args: Arg[],
    deadline = RedisDeadline.startingNow(),
  ): Promise<T> {
    const command = (...params: Arg[]) => this.evaluate(script, params);
    if (script.kind === 'undo') {
      return this.within(deadline, () => command(...keys, ...args)) as Promise<T>;
    }
    const rider = deadline.takeRider(this.redis);
    if (rider) return this.carrying(rider, script, keys, args, deadline);
    return this.within(deadline, () => {
      // Sent in the same tick when nothing is left to check, as nearly every call is.
      const offset = this.evictionPolicy.admitsNow() ? this.clock.offsetNow() : undefined;
      if (offset !== undefined) {
        return command(...keys, ...args, Math.floor(deadline.lastStartAt + offset));
      }
      return this.writeOnceChecked(command, deadline, [...keys, ...args]);
    }) as Promise<T>;
  }

  private async carrying<T>(
    rider: ScriptRider,
    script: RedisScript,
    keys: string[],
    args: Arg[],
    deadline: RedisDeadline,
  ): Promise<T> {
    const carrier = rider.carriedBy(script);
    const reply = await this.run<T>(
      carrier,
      [...rider.keys, ...keys],
      [...rider.args, ...args],
      deadline,
    );
    rider.settle(reply);
    return reply;
  }

  /** Reads the clocks now, at start-up, so that the first requests do not wait for them. */
  async readClocks(): Promise<void> {
    await this.clock.toRedisTime(0).catch(() => undefined);
  }

  /** A plain command (a read, a probe) within the calling request's deadline. */
  command<T>(send: () => Promise<T>, deadline = RedisDeadline.startingNow()): Promise<T> {
    return this.within(deadline, async () => {
      await this.evictionPolicy.admit();
      return send();
    });
  }

  /** After a (re)connect: the policy and the clock are read first. */
  private async writeOnceChecked(
    command: (...params: Arg[]) => Promise<unknown>,
    deadline: RedisDeadline,
    args: Arg[],
  ): Promise<unknown> {
    await this.evictionPolicy.admit();
    const lastStart = Math.floor(await this.clock.toRedisTime(deadline.lastStartAt));
    // Whatever awaited above (a stalled clock read) may have outlived the request.
    if (deadline.remainingMs() === 0) throw new Error('the request gave up first');
    return command(...args, lastStart);
  }

  /**
   * EVALSHA, and EVAL where Redis has not cached the script yet (a new or restarted node): a
   * NOSCRIPT reply means nothing ran, so a write sent again keeps its deadline. Not ioredis's
   * `defineCommand`: an ioredis pipeline (auto-pipelining makes one per tick) copies every
   * command so defined when it is made, which cost 3-4 % of the service's CPU.
   */
  private evaluate(script: RedisScript, params: Arg[]): Promise<unknown> {
    const keys = script.numberOfKeys;
    return this.redis.evalsha(script.sha, keys, ...params).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(script.lua, keys, ...params);
    });
  }

  /**
   * Rejects when the deadline comes first. The give-up waits one more turn of the event loop, so
   * that a reply already in the socket, behind a busy loop, is read rather than thrown away.
   */
  private within<T>(deadline: RedisDeadline, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        void nextTurn().then(() => {
          if (settled) return;
          settled = true;
          reject(new Error('Command timed out: Redis did not answer within the request deadline'));
        });
      }, deadline.remainingMs());
      work().then(
        (value) => {
          clearTimeout(timer);
          if (!settled) resolve(value);
          settled = true;
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!settled) reject(error as Error);
          settled = true;
        },
      );
    });
  }
}

const scriptsOf = new WeakMap<RedisClient, RedisScripts>();

/** The script runner of `redis`, made on first use. */
export function redisScripts(redis: RedisClient): RedisScripts {
  let scripts = scriptsOf.get(redis);
  if (!scripts) {
    scripts = new RedisScripts(redis);
    scriptsOf.set(redis, scripts);
  }
  return scripts;
}

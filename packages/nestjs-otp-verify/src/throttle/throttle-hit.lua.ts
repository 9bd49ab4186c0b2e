import { redisScript, type RedisScript } from '../store/redis-scripts.js';

/**
 * Counts one hit of a client against one named limit, in one step, so that every instance on
 * the same Redis spends from one budget and concurrent hits cannot all slip under the limit.
 * Once over the limit the client is blocked for the block duration (the window, unless set
 * otherwise), as @nestjs/throttler's own in-memory storage does; refused hits are not counted.
 *
 * KEYS[1] hits in the current window (counter)  KEYS[2] block marker
 * ARGV[1] window ms  ARGV[2] limit  ARGV[3] block ms
 *
 * `hit()` returns hits, window ms left, blocked (0 or 1), block ms left.
 */
const HIT_LUA = `
local function hit()
  local blockLeft = redis.call('PTTL', KEYS[2])
  if blockLeft > 0 then
    return tonumber(ARGV[2]) + 1, blockLeft, 1, blockLeft
  end
  local hits = redis.call('INCR', KEYS[1])
  if hits == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
  end
  if hits > tonumber(ARGV[2]) then
    redis.call('DEL', KEYS[1])
    redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
    return hits, tonumber(ARGV[3]), 1, tonumber(ARGV[3])
  end
  return hits, redis.call('PTTL', KEYS[1]), 0, 0
end`;

/** Returns { hits, window ms left, blocked (0 or 1), block ms left }. */
export const THROTTLE_HIT_SCRIPT = redisScript(
  'otpThrottleHit',
  2,
  'write',
  `${HIT_LUA}
return { hit() }
`,
);

/** The first reply word of a carrying script whose client is blocked: its own lines did not run. */
export const THROTTLED = 'OTPTHROTTLED';

const carriers = new WeakMap<RedisScript, RedisScript>();

/**
 * `script` with a hit in front of it (see store/script-rider.ts): the hit's two keys and three
 * arguments come first, and the script's own lines see theirs where they always were. A blocked
 * client gets { THROTTLED, block ms left } and nothing else runs.
 */
export function carryingThrottleHit(script: RedisScript): RedisScript {
  let carrier = carriers.get(script);
  if (!carrier) {
    carrier = redisScript(
      `${script.name}+otpThrottleHit`,
      script.numberOfKeys + 2,
      script.kind,
      `${HIT_LUA}
local _, _, blocked, blockLeft = hit()
if blocked == 1 then
  return { '${THROTTLED}', blockLeft }
end
local KEYS = { unpack(KEYS, 3) }
local ARGV = { unpack(ARGV, 4) }
${script.body}`,
    );
    carriers.set(script, carrier);
  }
  return carrier;
}

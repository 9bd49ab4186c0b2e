import { redisScript } from '../store/redis-scripts.js';

/**
 * Counts one hit of a client against one named limit, in one step, so that every instance on
 * the same Redis spends from one budget and concurrent hits cannot all slip under the limit.
 * Once over the limit the client is blocked for the block duration (the window, unless set
 * otherwise), as @nestjs/throttler's own in-memory storage does; refused hits are not counted.
 *
 * KEYS[1] hits in the current window (counter)  KEYS[2] block marker
 * ARGV[1] window ms  ARGV[2] limit  ARGV[3] block ms
 *
 * Returns { hits, window ms left, blocked (0 or 1), block ms left }.
 */
export const THROTTLE_HIT_SCRIPT = redisScript(
  'otpThrottleHit',
  2,
  'write',
  `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return { tonumber(ARGV[2]) + 1, blockLeft, 1, blockLeft }
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return { hits, tonumber(ARGV[3]), 1, tonumber(ARGV[3]) }
end
return { hits, redis.call('PTTL', KEYS[1]), 0, 0 }
`,
);

import { redisScript } from '../store/redis-scripts.js';

/**
 * Takes back one hit that THROTTLE_HIT_SCRIPT counted for a request that then failed because the
 * store was unavailable: a 503 must not spend the client's budget. A window that has ended since
 * is left alone (its counter is gone, and is not made again).
 *
 * KEYS[1] hits in the current window (counter)
 *
 * Returns 1 if a hit was given back, 0 if not.
 */
export const THROTTLE_GIVE_BACK_SCRIPT = redisScript(
  'otpThrottleGiveBack',
  1,
  'undo',
  `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 then
  redis.call('DECR', KEYS[1])
  return 1
end
return 0
`,
);

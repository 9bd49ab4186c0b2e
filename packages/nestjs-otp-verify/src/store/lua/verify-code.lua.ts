import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';

/**
 * Checks a code in one step, so that concurrent wrong guesses cannot each read the same
 * attempts-left value and together try more than the cap.
 *
 * KEYS[1] the number's state (fields in number-state.lua.ts)
 * ARGV[1] HMAC of the code tried  ARGV[2] lockout threshold (more failures than this lock)  ARGV[3] lockout window ms
 *
 * Returns { outcome, number }: 'approved'; 'not_found'; 'incorrect' with attempts left;
 * 'attempts_exceeded' or 'locked' with retry-after ms. An exhausted code is kept until it
 * expires so that even the right code is refused after the cap.
 */
export const VERIFY_CODE_SCRIPT = redisScript(
  'otpVerify',
  1,
  'write',
  `${NUMBER_STATE_PRELUDE}
local key = KEYS[1]
local state = redis.call('HMGET', key, 'h', 'a', 'x', 'f', 'l')
local failures, lockoutEnd = live(state[4], state[5])
if failures > tonumber(ARGV[2]) then
  return { 'locked', lockoutEnd - now }
end
local left, expires = live(state[2], state[3])
if not state[1] or expires == 0 then
  return { 'not_found', 0 }
end
if left <= 0 then
  return { 'attempts_exceeded', expires - now }
end
if state[1] == ARGV[1] then
  redis.call('HDEL', key, 'h', 'a', 'x')
  return { 'approved', 0 }
end
if failures == 0 then
  lockoutEnd = now + tonumber(ARGV[3])
  redis.call('HSET', key, 'a', left - 1, 'f', 1, 'l', lockoutEnd)
  expireAtLeast(key, lockoutEnd)
else
  -- A later failure of the same window changes neither its end nor the key's life.
  redis.call('HSET', key, 'a', left - 1, 'f', failures + 1)
end
return { 'incorrect', left - 1 }
`,
);

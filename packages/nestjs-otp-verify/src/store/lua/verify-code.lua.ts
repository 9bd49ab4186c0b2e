import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';
import { VERIFICATION_RECORD_PRELUDE } from './verification-record.lua.js';

/**
 * Checks a code in one step, so that concurrent wrong guesses cannot each read the same
 * attempts-left value and together try more than the cap.
 *
 * KEYS[1] the number's state (fields in number-state.lua.ts)
 * ARGV[1] HMAC of the code tried  ARGV[2] lockout threshold (more failures than this lock)  ARGV[3] lockout window ms
 *
 * ARGV[4] stem of the number's verification records
 *
 * Returns { outcome, number, verification id or '' }: 'approved' (then also the verification's
 * country, so that counting the approval needs no parse of the number); 'not_found'; 'incorrect' with
 * attempts left; 'attempts_exceeded' or 'locked' with retry-after ms. An exhausted code is kept
 * until it expires so that even the right code is refused after the cap. The verification
 * settles in the same step: approved, or max_attempts_reached with the last wrong code.
 */
export const VERIFY_CODE_SCRIPT = redisScript(
  'otpVerify',
  1,
  'write',
  `${NUMBER_STATE_PRELUDE}${VERIFICATION_RECORD_PRELUDE}
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
local record = recordOf(ARGV[4], state[1], state[3])
-- The record's fields this script may change, read at once: each call costs Redis about as much
-- as the field it reads. A code issued before verifications were recorded has no record.
local verification = redis.call('HMGET', record, 'id', 's', 'w', 'cc')
local id = verification[1] or ''
local pending = verification[2] == 'pending'
if left <= 0 then
  return { 'attempts_exceeded', expires - now, id }
end
if state[1] == ARGV[1] then
  redis.call('HDEL', key, 'h', 'a', 'x')
  if pending then redis.call('HSET', record, 's', 'approved', 'u', now) end
  return { 'approved', 0, id, verification[4] or '' }
end
if id ~= '' then
  local wrong = tonumber(verification[3] or '0') + 1
  if left == 1 and pending then
    redis.call('HSET', record, 'w', wrong, 's', 'max_attempts_reached', 'u', now)
  else
    redis.call('HSET', record, 'w', wrong, 'u', now)
  end
end
if failures == 0 then
  lockoutEnd = now + tonumber(ARGV[3])
  redis.call('HSET', key, 'a', left - 1, 'f', 1, 'l', lockoutEnd)
  expireAtLeast(key, lockoutEnd)
else
  -- A later failure of the same window changes neither its end nor the key's life.
  redis.call('HSET', key, 'a', left - 1, 'f', failures + 1)
end
return { 'incorrect', left - 1, id }
`,
);

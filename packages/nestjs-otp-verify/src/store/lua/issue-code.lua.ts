import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';

/**
 * Issues a code if the number may receive one, in one step so that concurrent requests for one
 * number cannot all pass the checks before any of them records its send.
 *
 * KEYS[1] the number's state (fields in number-state.lua.ts)
 * ARGV[1] HMAC  ARGV[2] ttl ms  ARGV[3] max attempts  ARGV[4] cooldown ms (0 = none)
 * ARGV[5] max sends per window  ARGV[6] send window ms  ARGV[7] lockout threshold (more failures than this lock)
 * ARGV[8] '0' for a test number: check the lockout only, and store the code recording nothing
 *
 * Returns { outcome, retry-after ms }: 'issued', 'locked', 'send_limit' or 'cooldown'. The send
 * cap is named before the cooldown, and waits for both, so that Retry-After is the time at which
 * the same request can pass, not a moment after which it meets the other limit.
 */
export const ISSUE_CODE_SCRIPT = redisScript(
  'otpIssue',
  1,
  'write',
  `${NUMBER_STATE_PRELUDE}
local key = KEYS[1]
local state = redis.call('HMGET', key, 'c', 's', 'w', 'f', 'l')
local expires = now + tonumber(ARGV[2])
local failures, lockoutEnd = live(state[4], state[5])
if failures > tonumber(ARGV[7]) then
  return { 'locked', lockoutEnd - now }
end
if ARGV[8] == '0' then
  redis.call('HSET', key, 'h', ARGV[1], 'a', ARGV[3], 'x', expires)
  expireAtLeast(key, expires)
  return { 'issued', 0 }
end
local _, cooldownEnd = live(1, state[1])
local sends, windowEnd = live(state[2], secondsToMs(state[3]))
local cooldown = tonumber(ARGV[4])
local cooldownLeft = cooldown > 0 and math.max(cooldownEnd - now, 0) or 0
if sends >= tonumber(ARGV[5]) then
  return { 'send_limit', math.max(windowEnd - now, cooldownLeft) }
end
if cooldownLeft > 0 then
  return { 'cooldown', cooldownLeft }
end
if sends == 0 then
  windowEnd = math.ceil((now + tonumber(ARGV[6])) / 1000) * 1000
end
cooldownEnd = cooldown > 0 and now + cooldown or 0
redis.call('HSET', key, 'h', ARGV[1], 'a', ARGV[3], 'x', expires, 'c', cooldownEnd,
  's', sends + 1, 'w', math.ceil(windowEnd / 1000))
-- Every live field's deadline is known here, so the key's life is set outright.
redis.call('PEXPIREAT', key, math.max(expires, cooldownEnd, windowEnd, lockoutEnd))
return { 'issued', 0 }
`,
);

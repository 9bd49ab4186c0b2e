import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';
import { VERIFICATION_RECORD_PRELUDE } from './verification-record.lua.js';

/**
 * Issues a code if the number may receive one, in one step so that concurrent requests for one
 * number cannot all pass the checks before any of them records its send.
 *
 * KEYS[1] the number's state (fields in number-state.lua.ts)
 * ARGV[1] HMAC  ARGV[2] ttl ms  ARGV[3] max attempts  ARGV[4] cooldown ms (0 = none)
 * ARGV[5] max sends per window  ARGV[6] send window ms  ARGV[7] lockout threshold (more failures than this lock)
 * ARGV[8] '0' for a test number: check the lockout only, and store the code recording nothing
 * ARGV[9] stem of the number's verification records  ARGV[10] id of the new verification
 * without `ver_` ('' for none: no record)  ARGV[11] its retention ms  ARGV[12] channel
 * ARGV[13] locale  ARGV[14] country  ARGV[15] '1' for a test number
 * ARGV[16] for a call, the calls allowed per send window ('' for an SMS)
 * ARGV[17] the code sealed for a fallback call, kept with the verification ('' for none)
 *
 * The new code's verification is written with it; the one it replaces, if still pending, is
 * canceled in the same step.
 *
 * Returns { outcome, retry-after ms, id of the canceled verification or '', the new record's key
 * suffix or '' }: 'issued', 'locked', 'send_limit' or 'cooldown'. The send
 * cap is named before the cooldown, and waits for both, so that Retry-After is the time at which
 * the same request can pass, not a moment after which it meets the other limit.
 */
export const ISSUE_CODE_SCRIPT = redisScript(
  'otpIssue',
  1,
  'write',
  `${NUMBER_STATE_PRELUDE}${VERIFICATION_RECORD_PRELUDE}
local key = KEYS[1]
local state = redis.call('HMGET', key, 'c', 's', 'w', 'f', 'l', 'h', 'x', 'k')
-- Replaces the pending verification by the new one; returns the id of the one canceled, or '',
-- and the new record's key suffix.
local function openVerification(expires)
  local canceled = ''
  -- A code past its deadline leaves its verification to read as expired.
  if state[6] and tonumber(state[7] or 0) > now then
    local replaced = recordOf(ARGV[9], state[6], state[7])
    if settle(replaced, 'canceled') then canceled = redis.call('HGET', replaced, 'id') end
  end
  if ARGV[10] == '' then return canceled, '' end
  local suffix = suffixOf(ARGV[1], expires)
  local record = ARGV[9] .. suffix
  redis.call('HSET', record, 'id', ARGV[10], 's', 'pending', 'ch', ARGV[12], 'lo', ARGV[13],
    'cc', ARGV[14], 'c', now, 'x', expires, 'u', now, 'w', 0)
  if ARGV[15] == '1' then redis.call('HSET', record, 't', '1') end
  if ARGV[17] ~= '' then redis.call('HSET', record, 'tk', ARGV[17]) end
  redis.call('PEXPIRE', record, ARGV[11])
  return canceled, suffix
end
local expires = now + tonumber(ARGV[2])
local failures, lockoutEnd = live(state[4], state[5])
if failures > tonumber(ARGV[7]) then
  return { 'locked', lockoutEnd - now }
end
if ARGV[8] == '0' then
  local canceled, suffix = openVerification(expires)
  redis.call('HSET', key, 'h', ARGV[1], 'a', ARGV[3], 'x', expires)
  expireAtLeast(key, expires)
  return { 'issued', 0, canceled, suffix }
end
local _, cooldownEnd = live(1, state[1])
local sends, windowEnd = live(state[2], secondsToMs(state[3]))
-- Calls share the send window: they end with it.
local calls = live(state[8], windowEnd)
local cooldown = tonumber(ARGV[4])
local cooldownLeft = cooldown > 0 and math.max(cooldownEnd - now, 0) or 0
if sends >= tonumber(ARGV[5]) or (ARGV[16] ~= '' and calls >= tonumber(ARGV[16])) then
  return { 'send_limit', math.max(windowEnd - now, cooldownLeft) }
end
if cooldownLeft > 0 then
  return { 'cooldown', cooldownLeft }
end
if sends == 0 then
  windowEnd = math.ceil((now + tonumber(ARGV[6])) / 1000) * 1000
end
cooldownEnd = cooldown > 0 and now + cooldown or 0
local canceled, suffix = openVerification(expires)
redis.call('HSET', key, 'h', ARGV[1], 'a', ARGV[3], 'x', expires, 'c', cooldownEnd,
  's', sends + 1, 'w', math.ceil(windowEnd / 1000))
if ARGV[16] ~= '' then
  redis.call('HSET', key, 'k', calls + 1)
elseif state[8] and calls == 0 then
  redis.call('HDEL', key, 'k')
end
-- Every live field's deadline is known here, so the key's life is set outright.
redis.call('PEXPIREAT', key, math.max(expires, cooldownEnd, windowEnd, lockoutEnd))
return { 'issued', 0, canceled, suffix }
`,
);

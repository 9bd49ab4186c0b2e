/**
 * Issues a code if the number may receive one, in one step so that concurrent requests for one
 * number cannot all pass the checks before any of them records its send.
 *
 * KEYS[1] code hash (fields h = HMAC, a = attempts left)   KEYS[2] cooldown marker
 * KEYS[3] sends in the current window (counter)             KEYS[4] failed verifications (counter)
 * ARGV[1] HMAC  ARGV[2] ttl ms  ARGV[3] max attempts  ARGV[4] cooldown ms (0 = none)
 * ARGV[5] max sends per window  ARGV[6] send window ms  ARGV[7] lockout threshold (more failures than this lock)
 * ARGV[8] '0' for a test number: store the code only, checking and recording no limit
 *
 * Returns { outcome, retry-after ms }: 'issued', 'locked', 'send_limit' or 'cooldown'. The send
 * cap is named before the cooldown, and waits for both, so that Retry-After is the time at which
 * the same request can pass, not a moment after which it meets the other limit.
 */
export const ISSUE_CODE_SCRIPT = `
if ARGV[8] == '0' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'h', ARGV[1], 'a', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return { 'issued', 0 }
end
local failures = tonumber(redis.call('GET', KEYS[4]) or '0')
if failures > tonumber(ARGV[7]) then
  return { 'locked', redis.call('PTTL', KEYS[4]) }
end
local cooldown = tonumber(ARGV[4])
local cooldownLeft = cooldown > 0 and redis.call('PTTL', KEYS[2]) or 0
local sends = tonumber(redis.call('GET', KEYS[3]) or '0')
if sends >= tonumber(ARGV[5]) then
  return { 'send_limit', math.max(redis.call('PTTL', KEYS[3]), cooldownLeft) }
end
if cooldownLeft > 0 then
  return { 'cooldown', cooldownLeft }
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'a', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if cooldown > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', cooldown)
end
if redis.call('INCR', KEYS[3]) == 1 then
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
return { 'issued', 0 }
`;

/**
 * Issues a code if the number may receive one, in one step so that concurrent requests for one
 * number cannot all pass the checks before any of them records its send.
 *
 * KEYS[1] code hash (fields h = HMAC, a = attempts left)   KEYS[2] cooldown marker
 * KEYS[3] sends in the current window (counter)             KEYS[4] failed verifications (counter)
 * ARGV[1] HMAC  ARGV[2] ttl ms  ARGV[3] max attempts  ARGV[4] cooldown ms (0 = none)
 * ARGV[5] max sends per window  ARGV[6] send window ms  ARGV[7] lockout threshold
 *
 * Returns { outcome, retry-after ms }: 'issued', 'locked', 'cooldown' or 'send_limit'.
 */
export const ISSUE_CODE_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[4]) or '0')
if failures >= tonumber(ARGV[7]) then
  return { 'locked', redis.call('PTTL', KEYS[4]) }
end
local cooldown = tonumber(ARGV[4])
if cooldown > 0 then
  local left = redis.call('PTTL', KEYS[2])
  if left > 0 then
    return { 'cooldown', left }
  end
end
local sends = tonumber(redis.call('GET', KEYS[3]) or '0')
if sends >= tonumber(ARGV[5]) then
  return { 'send_limit', redis.call('PTTL', KEYS[3]) }
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

/**
 * Checks a code in one step, so that concurrent wrong guesses cannot each read the same
 * attempts-left value and together try more than the cap.
 *
 * KEYS[1] code hash (h = HMAC, a = attempts left)  KEYS[2] failed verifications counter
 * ARGV[1] HMAC of the code tried  ARGV[2] lockout threshold (more failures than this lock)  ARGV[3] lockout window ms
 *
 * Returns { outcome, number }: 'approved'; 'not_found'; 'incorrect' with attempts left;
 * 'attempts_exceeded' or 'locked' with retry-after ms. An exhausted code is kept until it
 * expires so that even the right code is refused after the cap.
 */
export const VERIFY_CODE_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
if failures > tonumber(ARGV[2]) then
  return { 'locked', redis.call('PTTL', KEYS[2]) }
end
local stored = redis.call('HMGET', KEYS[1], 'h', 'a')
if not stored[1] then
  return { 'not_found', 0 }
end
local left = tonumber(stored[2])
if left <= 0 then
  return { 'attempts_exceeded', redis.call('PTTL', KEYS[1]) }
end
if stored[1] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return { 'approved', 0 }
end
left = redis.call('HINCRBY', KEYS[1], 'a', -1)
if redis.call('INCR', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return { 'incorrect', left }
`;

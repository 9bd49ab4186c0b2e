/**
 * Takes back an issue whose SMS failed, so the user can ask again at once.
 *
 * KEYS[1] code hash  KEYS[2] cooldown marker  KEYS[3] sends counter
 * ARGV[1] HMAC of the code being taken back
 *
 * A newer code (another HMAC) is left alone: only its own issue may revoke it.
 */
export const REVOKE_CODE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'h') ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2])
if tonumber(redis.call('GET', KEYS[3]) or '0') > 1 then
  redis.call('DECR', KEYS[3])
else
  redis.call('DEL', KEYS[3])
end
return 1
`;

import { redisScript } from '../../store/redis-scripts.js';

/**
 * Gives back one send that an admission counted and that was never made (a per-number limit
 * refused it, the store or the SMS provider failed), in whichever bucket now holds it.
 *
 * KEYS[1] a prefix's or a country's hash of sliding-window buckets
 * ARGV[1] the bucket the send was counted in
 *
 * Returns 1 if a send was given back, 0 if its bucket has left the window already.
 */
export const WITHDRAW_SEND_SCRIPT = redisScript(
  'otpFraudWithdraw',
  1,
  'undo',
  `
local f = redis.call('HMGET', KEYS[1], 'b', 'ps', 'cs')
local stored = tonumber(f[1] or '-2')
local counted = tonumber(ARGV[1])
if stored == counted and tonumber(f[3] or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'cs', -1)
  return 1
end
if stored == counted + 1 and tonumber(f[2] or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'ps', -1)
  return 1
end
return 0
`,
);

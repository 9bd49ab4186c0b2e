import { perKeyCount } from './per-key-count.js';

/**
 * Gives back one send that an admission counted and that was never made (a per-number limit
 * refused it, another slot's counter refused it, the store or the SMS provider failed), in
 * whichever bucket now holds it, for each counter of one Redis slot.
 *
 * KEYS the counters (see SLIDING_WINDOW_LUA)  ARGV[i] the bucket the send was counted in, KEYS[i]
 *
 * Returns how many counters gave a send back (one whose bucket has left the window cannot).
 */
export const WITHDRAW_SEND_SCRIPT = perKeyCount(
  'otpFraudWithdraw',
  'undo',
  `
local given = 0
for i = 1, #KEYS do
  local f = redis.call('HMGET', KEYS[i], 'b', 'ps', 'cs')
  local stored = tonumber(f[1] or '-2')
  local counted = tonumber(ARGV[i])
  if counted >= 0 and stored == counted and tonumber(f[3] or '0') > 0 then
    redis.call('HINCRBY', KEYS[i], 'cs', -1)
    given = given + 1
  elseif counted >= 0 and stored == counted + 1 and tonumber(f[2] or '0') > 0 then
    redis.call('HINCRBY', KEYS[i], 'ps', -1)
    given = given + 1
  end
end
return given
`,
);

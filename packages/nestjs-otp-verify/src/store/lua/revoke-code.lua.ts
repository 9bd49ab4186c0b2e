import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';
import { VERIFICATION_RECORD_PRELUDE } from './verification-record.lua.js';

/**
 * Takes back an issue whose SMS failed, so the user can ask again at once.
 *
 * KEYS[1] the number's state (fields in number-state.lua.ts)
 * ARGV[1] HMAC of the code being taken back  ARGV[2] stem of the number's verification records
 * ARGV[3] '1' when the code went out by a call: the call is given back too
 *
 * The code's verification becomes failed: no message reached a provider.
 *
 * A newer code (another HMAC) is left alone: only its own issue may revoke it. It undoes an issue
 * that completed, so it is right whenever Redis runs it, even after the request gave up.
 *
 * Returns 1 if the code was taken back, 0 if it was not pending.
 */
export const REVOKE_CODE_SCRIPT = redisScript(
  'otpRevoke',
  1,
  'undo',
  `${NUMBER_STATE_PRELUDE}${VERIFICATION_RECORD_PRELUDE}
local key = KEYS[1]
local state = redis.call('HMGET', key, 'h', 's', 'w', 'x', 'k')
if state[1] ~= ARGV[1] then
  return 0
end
local sends, windowEnd = live(state[2], secondsToMs(state[3]))
redis.call('HDEL', key, 'h', 'a', 'x', 'c')
settle(recordOf(ARGV[2], ARGV[1], state[4]), 'failed')
if sends > 1 then
  redis.call('HSET', key, 's', sends - 1)
else
  redis.call('HDEL', key, 's', 'w')
end
if ARGV[3] == '1' then
  local calls = live(state[5], windowEnd)
  if calls > 1 then redis.call('HSET', key, 'k', calls - 1) else redis.call('HDEL', key, 'k') end
end
return 1
`,
);

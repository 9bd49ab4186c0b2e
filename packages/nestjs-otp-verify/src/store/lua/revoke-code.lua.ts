import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';

/**
 * Takes back an issue whose SMS failed, so the user can ask again at once.
 *
 * KEYS[1] the number's state (fields in number-state.lua.ts)
 * ARGV[1] HMAC of the code being taken back
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
  `${NUMBER_STATE_PRELUDE}
local key = KEYS[1]
local state = redis.call('HMGET', key, 'h', 's', 'w')
if state[1] ~= ARGV[1] then
  return 0
end
local sends = live(state[2], secondsToMs(state[3]))
redis.call('HDEL', key, 'h', 'a', 'x', 'c')
if sends > 1 then
  redis.call('HSET', key, 's', sends - 1)
else
  redis.call('HDEL', key, 's', 'w')
end
return 1
`,
);

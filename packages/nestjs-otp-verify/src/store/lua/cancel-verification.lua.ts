import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';
import { VERIFICATION_RECORD_PRELUDE } from './verification-record.lua.js';

/**
 * Cancels a pending verification: its code stops working in the same step, so a verify that
 * Redis runs after this one finds no code, and one that ran before has already settled it.
 *
 * KEYS[1] the number's state (number-state.lua.ts)  KEYS[2] the verification's record
 * ARGV[1] the record's key suffix (verification-record.lua.ts)  ARGV[2] the id without `ver_`
 *
 * Returns { outcome, status }: 'canceled'; 'not_found'; or 'not_pending' with the status it
 * has ('expired' for a pending one past its deadline).
 */
export const CANCEL_VERIFICATION_SCRIPT = redisScript(
  'otpCancelVerification',
  2,
  'write',
  `${NUMBER_STATE_PRELUDE}${VERIFICATION_RECORD_PRELUDE}
local record = redis.call('HMGET', KEYS[2], 's', 'x', 'id')
if not record[1] or record[3] ~= ARGV[2] then
  return { 'not_found', '' }
end
if record[1] ~= 'pending' then
  return { 'not_pending', record[1] }
end
if tonumber(record[2]) <= now then
  return { 'not_pending', 'expired' }
end
local pending = redis.call('HMGET', KEYS[1], 'h', 'x')
if pending[1] and suffixOf(pending[1], pending[2]) == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'h', 'a', 'x')
end
settle(KEYS[2], 'canceled')
return { 'canceled', '' }
`,
);

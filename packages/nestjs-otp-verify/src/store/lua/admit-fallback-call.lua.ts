import { redisScript } from '../redis-scripts.js';
import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';
import { VERIFICATION_RECORD_PRELUDE } from './verification-record.lua.js';

/**
 * Admits one fallback call with an SMS's code, in one step, so that two receipts of one SMS
 * cannot both call and concurrent calls cannot pass the calls cap together.
 *
 * KEYS[1] the number's state (number-state.lua.ts)  KEYS[2] the verification's record
 * ARGV[1] the id without `ver_`  ARGV[2] the record's key suffix (verification-record.lua.ts)
 * ARGV[3] calls allowed per send window
 *
 * Returns { outcome, ticket }: 'admitted' with the record's ticket, the call counted and the
 * record marked; else 'not_pending' (the code is no longer the number's pending one),
 * 'no_ticket', 'already_called' or 'call_limit', and nothing written.
 */
export const ADMIT_FALLBACK_CALL_SCRIPT = redisScript(
  'otpAdmitFallbackCall',
  2,
  'write',
  `${NUMBER_STATE_PRELUDE}${VERIFICATION_RECORD_PRELUDE}
local record = redis.call('HMGET', KEYS[2], 's', 'x', 'id', 'tk', 'fc')
if record[3] ~= ARGV[1] or record[1] ~= 'pending' or tonumber(record[2]) <= now then
  return { 'not_pending', '' }
end
local state = redis.call('HMGET', KEYS[1], 'h', 'x', 's', 'w', 'k')
if not state[1] or suffixOf(state[1], state[2]) ~= ARGV[2] then
  return { 'not_pending', '' }
end
if not record[4] then return { 'no_ticket', '' } end
if record[5] then return { 'already_called', '' } end
local _, windowEnd = live(state[3], secondsToMs(state[4]))
local calls = live(state[5], windowEnd)
if calls >= tonumber(ARGV[3]) then return { 'call_limit', '' } end
redis.call('HSET', KEYS[1], 'k', calls + 1)
redis.call('HSET', KEYS[2], 'fc', '1')
return { 'admitted', record[4] }
`,
);

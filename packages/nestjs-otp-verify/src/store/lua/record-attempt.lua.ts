import { redisScript } from '../redis-scripts.js';

/**
 * Records the hand-over of a verification's code to a provider, after those before it: an SMS
 * and the call that followed it each keep their own status.
 *
 * KEYS[1] the verification's record (verification-record.lua.ts)
 * ARGV[1] the verification's id without `ver_`  ARGV[2] the attempt, as JSON
 * ARGV[3] the time of the change (ms)
 *
 * A record past its retention is left gone (HSET would make a key that never expires), and so
 * is one that now belongs to another verification.
 *
 * Returns the record's remaining life (ms), which the message id's index is given; 0 if gone.
 */
export const RECORD_ATTEMPT_SCRIPT = redisScript(
  'otpRecordAttempt',
  1,
  'write',
  `
local record = redis.call('HMGET', KEYS[1], 'id', 'at')
if record[1] ~= ARGV[1] then return 0 end
-- Appended as text: decoding and encoding the list with cjson was 40 % of this script's cost.
local attempts = '[' .. ARGV[2] .. ']'
if record[2] then
  attempts = string.sub(record[2], 1, -2) .. ',' .. ARGV[2] .. ']'
end
redis.call('HSET', KEYS[1], 'at', attempts, 'u', ARGV[3])
return redis.call('PTTL', KEYS[1])
`,
);

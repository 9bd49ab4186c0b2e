import { redisScript } from '../redis-scripts.js';

/**
 * Applies a delivery receipt to the attempt that sent the message, in one step, so two receipts
 * of one message arriving together (Plivo calls back without waiting) cannot both see the old
 * status: the first final status stays, a replay or a late `sent` changes nothing.
 *
 * KEYS[1] the verification's record (verification-record.lua.ts)
 * ARGV[1] the verification's id without `ver_`  ARGV[2] the provider
 * ARGV[3] the provider's message id  ARGV[4] the new status: sent, delivered, undelivered or failed
 * ARGV[5] the provider's error code, or ''
 *
 * Returns { outcome, the attempt's status now, the verification's country, '1' when its code is
 * still pending }: outcome 'changed', 'unchanged', or 'unknown' (no such record or attempt).
 */
export const RECORD_RECEIPT_SCRIPT = redisScript(
  'otpRecordReceipt',
  1,
  'write',
  `
local FINAL = { delivered = true, undelivered = true, failed = true }
local record = redis.call('HMGET', KEYS[1], 'id', 's', 'x', 'cc', 'at')
if record[1] ~= ARGV[1] or not record[5] then return { 'unknown' } end
local pending = (record[2] == 'pending' and tonumber(record[3]) > now) and '1' or '0'
local attempts = cjson.decode(record[5])
for _, attempt in ipairs(attempts) do
  if attempt.messageId == ARGV[3] and attempt.provider == ARGV[2] then
    if FINAL[attempt.status] or attempt.status == ARGV[4] then
      return { 'unchanged', attempt.status, record[4], pending }
    end
    attempt.status = ARGV[4]
    attempt.updatedAt = now
    if ARGV[5] ~= '' then attempt.errorCode = ARGV[5] end
    redis.call('HSET', KEYS[1], 'at', cjson.encode(attempts), 'u', now)
    return { 'changed', ARGV[4], record[4], pending }
  end
end
return { 'unknown' }
`,
);

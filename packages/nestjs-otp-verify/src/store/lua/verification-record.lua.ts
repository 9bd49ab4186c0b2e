/**
 * A verification's record is a hash of its own, under the number's hash tag, so the scripts that
 * change the number's code change its verification in the same atomic step, on one Redis as on
 * a cluster. Its key is the stem the caller passes (see otp-keys.ts) and the first 16 hex
 * digits of the SHA-1 of the code's HMAC and deadline (`h:x`): a script finds the record of the
 * pending code from the number's state alone, and the number's state carries no field more for
 * it, which keeps a pending code within its memory budget. The deadline, in milliseconds of
 * Redis's clock, tells apart two codes of one number that happen to be equal (a test number's
 * fixed code). The issue script returns the suffix, for the id's index.
 *
 *   id the verification's id without `ver_`
 *   s  status: pending, approved, canceled, max_attempts_reached or failed
 *   ch channel   lo locale   cc country   t  '1' for a test number
 *   c  created (ms)   x  the code's deadline (ms)   u  last change (ms)
 *   w  wrong codes tried   at  attempts, as JSON (written once the provider answered)
 *   tk the code sealed for a fallback call (voice/voice-ticket.ts)   fc '1' once it was made
 *
 * The record expires at creation plus the retention, which is never shorter than a code's life,
 * so a script that finds a live code also finds its record. This prelude follows
 * NUMBER_STATE_PRELUDE (it reads `now`).
 */
export const VERIFICATION_RECORD_PRELUDE = `
local function suffixOf(codeHash, deadline)
  return string.sub(redis.sha1hex(codeHash .. ':' .. deadline), 1, 16)
end
local function recordOf(stem, codeHash, deadline)
  return stem .. suffixOf(codeHash, deadline)
end
-- Moves a pending verification to a final status; anything else is left as it is.
local function settle(record, status)
  if redis.call('HGET', record, 's') ~= 'pending' then return false end
  redis.call('HSET', record, 's', status, 'u', now)
  return true
end
`;

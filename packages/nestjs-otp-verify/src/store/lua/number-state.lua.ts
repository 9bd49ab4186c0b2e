/**
 * Every per-number fact lives in one hash, the number's own key, so a pending code costs one
 * key's overhead in Redis rather than one per fact (the dictionary entry, the expiry entry and
 * the key's name are most of a small key's memory). Each fact carries its own deadline as a
 * field, in milliseconds of Redis's clock, which every instance shares; the key itself expires
 * when the last of them has passed. The send window's end alone is kept in whole seconds,
 * rounded up (the window is configured in seconds): a 13-digit field is a 64-bit integer in the
 * hash's listpack, a 10-digit one a 32-bit integer, and those 4 bytes take a pending code's
 * listpack down one allocation class, 16 bytes per number.
 *
 *   h  HMAC of the pending code        a  attempts left     x  the code's deadline
 *   c  end of the resend cooldown      s  sends in window   w  end of the send window (s)
 *   f  failed verifications            l  end of the lockout window
 *   k  voice calls in the send window (absent until the first; ends with the window)
 *
 * (Builds before 2026-12 also wrote r and t, a revoked issue's HMAC and until when; nothing reads
 * them now, and they leave with the key.)
 *
 * This prelude, shared by the scripts, reads the fields a script names against `now`, Redis's
 * clock (see store/redis-scripts.ts).
 */
export const NUMBER_STATE_PRELUDE = `
local function live(count, deadline)
  count = tonumber(count) or 0
  deadline = tonumber(deadline) or 0
  if deadline <= now then return 0, 0 end
  return count, deadline
end
-- A send window's end in milliseconds (13 digits) was written before it was kept in seconds
-- (10 digits until the year 2286); read as seconds it would close the window for millennia.
local function secondsToMs(seconds)
  local value = tonumber(seconds) or 0
  if value >= 1e11 then return value end
  return value * 1000
end
local function expireAtLeast(key, deadline)
  if deadline > redis.call('PEXPIRETIME', key) then
    redis.call('PEXPIREAT', key, deadline)
  end
end
`;

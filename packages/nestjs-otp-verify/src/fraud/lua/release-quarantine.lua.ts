import { redisScript } from '../../store/redis-scripts.js';

/**
 * Lifts a prefix's or a country's quarantine and clears its counts, so that the sends that caused it do not
 * put it back in quarantine at the next request.
 *
 * KEYS[1] the watched counter (see SLIDING_WINDOW_LUA)
 *
 * Returns { country, sends, approvals, until ms } of the quarantine lifted, or an empty reply
 * when it was not quarantined.
 */
export const RELEASE_QUARANTINE_SCRIPT = redisScript(
  'otpFraudRelease',
  1,
  'write',
  `
local f = redis.call('HMGET', KEYS[1], 'q', 'qs', 'qa', 'qc')
local q = tonumber(f[1] or '0')
if q <= now then
  return {}
end
redis.call('DEL', KEYS[1])
return { f[4] or '', f[2] or '0', f[3] or '0', q }
`,
);

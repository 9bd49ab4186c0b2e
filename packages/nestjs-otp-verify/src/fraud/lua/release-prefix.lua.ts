import { redisScript } from '../../store/redis-scripts.js';
/**
 * Lifts a prefix's quarantine and clears its counts, so that the sends that caused it do not
 * put it back in quarantine at the next request.
 *
 * KEYS[1] the prefix's hash (see ADMIT_PREFIX_SCRIPT)
 *
 * Returns { country, sends, approvals, until ms } of the quarantine lifted, or an empty reply
 * when the prefix was not quarantined.
 */
export const RELEASE_PREFIX_SCRIPT = redisScript(
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

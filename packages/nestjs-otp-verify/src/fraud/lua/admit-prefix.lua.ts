import { redisScript } from '../../store/redis-scripts.js';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua.js';

/**
 * Decides one send to a prefix in one step, so that concurrent requests cannot all slip under
 * the threshold before any of them is counted.
 *
 * KEYS[1] the prefix's hash: sliding-window buckets (see SLIDING_WINDOW_LUA) and, while
 *         quarantined, q = until (epoch ms), qs/qa = the sends/approvals that caused it, qc = country
 * ARGV[1] window ms  ARGV[2] min sends  ARGV[3] min conversion  ARGV[4] quarantine ms
 * ARGV[5] '1' to refuse in quarantine (enforce), '0' to count and admit (shadow)  ARGV[6] country
 *
 * Returns { outcome, bucket, sends, approvals, quarantined until ms, expired (0/1) }, figures as
 * strings since a Lua number would reach the client truncated. Outcomes: 'admitted';
 * 'quarantined' (this send is made, and crossed the threshold); 'would_block' (shadow mode);
 * 'blocked' (nothing counted). The key lives for two windows, or a window past the quarantine's
 * end, so that the first request after the end lifts it and says so.
 */
export const ADMIT_PREFIX_SCRIPT = redisScript(
  'otpFraudAdmitPrefix',
  1,
  'write',
  `
local window = tonumber(ARGV[1])
${SLIDING_WINDOW_LUA}
local expired = 0
if q > 0 and q <= now then
  redis.call('HDEL', KEYS[1], 'q', 'qs', 'qa', 'qc')
  q = 0
  expired = 1
end
if q > 0 and ARGV[5] == '1' then
  return { 'blocked', -1, tostring(ps * weight + cs), tostring(pa * weight + ca), q, expired }
end
cs = cs + 1
local sends = ps * weight + cs
local approvals = pa * weight + ca
local outcome = 'admitted'
if q > 0 then
  outcome = 'would_block'
elseif sends >= tonumber(ARGV[2]) and approvals / sends < tonumber(ARGV[3]) then
  q = now + tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'q', q, 'qs', tostring(sends), 'qa', tostring(approvals), 'qc', ARGV[6])
  outcome = 'quarantined'
end
saveWindow(outcome == 'quarantined')
return { outcome, bucket, tostring(sends), tostring(approvals), q, expired }
`,
);

import { redisScript } from '../../store/redis-scripts.js';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua.js';

/**
 * Counts one send against a country's budget in one step, so that concurrent requests on any
 * number of instances never spend more than the budget.
 *
 * KEYS[1] the country's hash of sliding-window buckets (see SLIDING_WINDOW_LUA)
 * ARGV[1] window ms (24 h)  ARGV[2] budget  ARGV[3] '1' to refuse over budget, '0' to count (shadow)
 *
 * Returns { outcome, bucket, retry-after ms }: 'admitted'; 'exceeded' (nothing counted);
 * 'would_exceed' (shadow mode: counted). Retry-after is when the weighted count next leaves room
 * for one send: once the current bucket's share has decayed enough, or the previous one's.
 */
export const ADMIT_COUNTRY_SCRIPT = redisScript(
  'otpFraudAdmitCountry',
  1,
  'write',
  `
local window = tonumber(ARGV[1])
${SLIDING_WINDOW_LUA}
local limit = tonumber(ARGV[2])
local retry = 0
if ps * weight + cs + 1 > limit then
  local elapsed = now - bucket * window
  if cs + 1 > limit then
    retry = (window - elapsed) + window * math.max(1 - (limit - 1) / cs, 0)
  else
    retry = window * (weight - (limit - 1 - cs) / ps)
  end
  retry = math.max(math.ceil(retry), 1000)
  if ARGV[3] == '1' then
    return { 'exceeded', -1, retry }
  end
end
cs = cs + 1
saveWindow(false)
if retry > 0 then
  return { 'would_exceed', bucket, retry }
end
return { 'admitted', bucket, 0 }
`,
);

import { redisScript } from '../../store/redis-scripts.js';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua.js';

/**
 * Counts one approved code for a prefix. A prefix with no sends in the window is left alone:
 * the approval answers a send the window has forgotten, and would only inflate its conversion.
 *
 * KEYS[1] the prefix's hash (see ADMIT_PREFIX_SCRIPT)  ARGV[1] window ms
 *
 * Returns 1 if counted, 0 if not.
 */
export const RECORD_APPROVAL_SCRIPT = redisScript(
  'otpFraudApprove',
  1,
  'write',
  `
local window = tonumber(ARGV[1])
${SLIDING_WINDOW_LUA}
if stored == -2 then
  return 0
end
ca = ca + 1
saveWindow(false)
return 1
`,
);

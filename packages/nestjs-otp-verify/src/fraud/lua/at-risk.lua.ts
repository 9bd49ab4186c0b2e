import { perKeyCount } from './per-key-count.js';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua.js';

/**
 * Reads, without writing, whether a verify needs a challenge for the fraud guard's sake: one of
 * the counters of one Redis slot is a quarantined prefix or country, or a global budget past 80 %.
 *
 * KEYS    the counters (see SLIDING_WINDOW_LUA)
 * ARGV    per key: kind ('w' watched, 'g' global budget), window ms, threshold (a budget's limit)
 *
 * Returns 1 if so, 0 if not.
 */
export const AT_RISK_SCRIPT = perKeyCount(
  'otpFraudAtRisk',
  'write',
  `
${SLIDING_WINDOW_LUA}
for i = 1, #KEYS do
  local a = 3 * (i - 1)
  local w = loadWindow(KEYS[i], tonumber(ARGV[a + 2]))
  if ARGV[a + 1] == 'w' and w.q > now then
    return 1
  end
  if ARGV[a + 1] == 'g' and sendsOf(w) >= 0.8 * tonumber(ARGV[a + 3]) then
    return 1
  end
end
return 0
`,
);

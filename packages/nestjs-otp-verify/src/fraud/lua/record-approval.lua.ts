import { perKeyCount } from './per-key-count.js';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua.js';

/**
 * Counts one approved code for the watched counters of one Redis slot (a number's prefixes, or
 * its country). A counter with no sends in the window is left alone: the approval answers a send
 * the window has forgotten, and would only inflate its conversion. A quarantined counter whose
 * conversion is back at the minimum is released with a clean slate, as an operator's release
 * is: approvals after challenges let a range that real users need recover by itself, and the
 * sends that caused the quarantine do not put it back at the next unverified send.
 *
 * KEYS the counters (see SLIDING_WINDOW_LUA)  ARGV[1] window ms  ARGV[2] min conversion
 *
 * Returns per key { released (0/1), country, sends, approvals, until ms } (figures in hundredths).
 */
export const RECORD_APPROVAL_SCRIPT = perKeyCount(
  'otpFraudApprove',
  'write',
  `
${SLIDING_WINDOW_LUA}
local out = {}
for i = 1, #KEYS do
  local w = loadWindow(KEYS[i], tonumber(ARGV[1]))
  local released = 0
  local country = ''
  local quarantinedUntil = w.q
  if w.stored ~= -2 then
    w.ca = w.ca + 1
    local sends = sendsOf(w)
    if w.q > now and sends > 0 and approvalsOf(w) / sends >= tonumber(ARGV[2]) then
      country = redis.call('HGET', w.key, 'qc') or ''
      redis.call('DEL', w.key)
      released = 1
    else
      saveWindow(w, false, 'ca')
    end
  end
  local n = #out
  out[n + 1] = released
  out[n + 2] = country
  out[n + 3] = hundredths(sendsOf(w))
  out[n + 4] = hundredths(approvalsOf(w))
  out[n + 5] = quarantinedUntil
end
return out
`,
);

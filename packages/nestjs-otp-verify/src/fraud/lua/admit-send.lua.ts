import { perKeyCount } from './per-key-count.js';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua.js';

/**
 * Decides one send against every counter of one Redis slot in one step: on one node all of a
 * send's counters, on a cluster the prefixes of one number (they share a hash tag), its country's
 * two counters, or the global budgets. Concurrent requests cannot all slip under a threshold or
 * a budget before any of them is counted.
 *
 * KEYS    the counters (see SLIDING_WINDOW_LUA)
 * ARGV[1] min conversion  ARGV[2] quarantine ms  ARGV[3] '1' to refuse in quarantine (enforce)
 * ARGV[4] challenge: 'none', 'ask' or 'passed'  ARGV[5] the number's country
 * then per key: kind ('w' watched, 'b' country budget, 'g' global budget), window ms, threshold
 * (a watched counter's minimum of sends, a budget's limit)
 *
 * Budgets first: a send they refuse never counts toward a threshold. Then a quarantine refuses
 * (enforce, no challenge), asks for a challenge (`ask`), or admits (`passed`, shadow mode); with
 * `ask`, a global budget past 80 % asks for one too. Only then is the send counted everywhere,
 * and a watched counter with its minimum of sends and a conversion below the minimum is
 * quarantined, this send still made.
 *
 * Returns { outcome, index of the deciding key (0: none) } then per key { bucket (-1 unless
 * counted), sends, approvals, quarantined until ms, flags (1 an ended quarantine was lifted,
 * 2 quarantined now, 4 a global budget passed 80 % for the first time in its bucket),
 * retry-after ms }, the weighted sends and approvals in hundredths (see SLIDING_WINDOW_LUA).
 */
export const ADMIT_SEND_SCRIPT = perKeyCount(
  'otpFraudAdmitSend',
  'write',
  `
${SLIDING_WINDOW_LUA}
local minConversion = tonumber(ARGV[1])
local enforce = ARGV[3] == '1'
local challenge = ARGV[4]
local ws = {}
for i = 1, #KEYS do
  local a = 5 + 3 * (i - 1)
  local w = loadWindow(KEYS[i], tonumber(ARGV[a + 2]))
  w.kind = ARGV[a + 1]
  w.threshold = tonumber(ARGV[a + 3])
  w.flags = 0
  w.retry = 0
  if w.q > 0 and w.q <= now then
    redis.call('HDEL', w.key, 'q', 'qs', 'qa', 'qc')
    w.q = 0
    w.flags = 1
  end
  ws[i] = w
end
local function reply(outcome, decided)
  local out = { outcome, decided }
  for _, w in ipairs(ws) do
    local n = #out
    out[n + 1] = (outcome == 'admitted') and w.bucket or -1
    out[n + 2] = hundredths(sendsOf(w))
    out[n + 3] = hundredths(approvalsOf(w))
    out[n + 4] = w.q
    out[n + 5] = w.flags
    out[n + 6] = w.retry
  end
  return out
end
for i, w in ipairs(ws) do
  if w.kind ~= 'w' and sendsOf(w) + 1 > w.threshold then
    local limit = w.threshold
    local retry
    if w.cs + 1 > limit then
      retry = (w.window - (now - w.bucket * w.window)) + w.window * math.max(1 - (limit - 1) / w.cs, 0)
    else
      retry = w.window * (w.weight - (limit - 1 - w.cs) / w.ps)
    end
    w.retry = math.min(math.max(math.ceil(retry), 1000), w.window)
    return reply('over_budget', i)
  end
end
if enforce and challenge ~= 'passed' then
  for i, w in ipairs(ws) do
    if w.kind == 'w' and w.q > 0 then
      return reply(challenge == 'ask' and 'challenge' or 'blocked', i)
    end
  end
end
if challenge == 'ask' then
  for i, w in ipairs(ws) do
    if w.kind == 'g' and sendsOf(w) >= 0.8 * w.threshold then
      return reply('challenge', i)
    end
  end
end
for _, w in ipairs(ws) do
  w.cs = w.cs + 1
  local sends = sendsOf(w)
  local extend = false
  if w.kind == 'w' and w.q == 0 then
    local approvals = approvalsOf(w)
    if sends >= w.threshold and approvals / sends < minConversion then
      w.q = now + tonumber(ARGV[2])
      redis.call('HSET', w.key, 'q', w.q, 'qs', tostring(sends), 'qa', tostring(approvals), 'qc', ARGV[5])
      w.flags = w.flags + 2
      extend = true
    end
  elseif w.kind == 'g' and sends >= 0.8 * w.threshold then
    if redis.call('HGET', w.key, 'wb') ~= tostring(w.bucket) then
      redis.call('HSET', w.key, 'wb', w.bucket)
      w.flags = w.flags + 4
    end
  end
  saveWindow(w, extend, 'cs')
end
return reply('admitted', 0)
`,
);

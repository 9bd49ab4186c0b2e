/**
 * Shared by the guard's scripts: two fixed buckets, weighted, approximate a sliding window in
 * constant memory. The current bucket counts in full and the previous one by the share of it
 * that still lies inside the window, so a burst at a bucket's edge is still seen in full.
 *
 * A counter is a hash: b = bucket index, ps/pa = previous sends/approvals, cs/ca = current ones;
 * q = a watched counter's quarantine end (qs/qa/qc: the sends, approvals and country that caused
 * it); wb = the bucket in which a global budget last passed 80 %.
 *
 * Uses `now` (ms, Redis's clock, the same for every instance; see store/redis-scripts.ts).
 * Defines `loadWindow(key, window)`,
 * which reads a counter with its buckets rolled forward to `now` (`stored` is the bucket the hash
 * held, -2 if none); `sendsOf(w)`, `approvalsOf(w)`, `hundredths(x)`; and `saveWindow(w, extend, counted)`, which writes
 * only what a call changed: the one current count it added 1 to (`counted`, 'cs' or 'ca'), or
 * every field once the buckets have rolled. Only then, or when `extend` is true (a quarantine begins), is the key's life set: two
 * windows from the first write of its bucket, through the end of the next bucket (the last that
 * reads this one's counts), or a window past the quarantine's end if that is later. A script's
 * Redis calls are most of its cost.
 */
export const SLIDING_WINDOW_LUA = `
local function loadWindow(key, window)
  local f = redis.call('HMGET', key, 'b', 'ps', 'pa', 'cs', 'ca', 'q')
  local w = { key = key, window = window, stored = tonumber(f[1] or '-2'),
    ps = tonumber(f[2] or '0'), pa = tonumber(f[3] or '0'),
    cs = tonumber(f[4] or '0'), ca = tonumber(f[5] or '0'), q = tonumber(f[6] or '0') }
  w.bucket = math.floor(now / window)
  if w.stored ~= w.bucket then
    if w.stored == w.bucket - 1 then
      w.ps, w.pa = w.cs, w.ca
    else
      w.ps, w.pa = 0, 0
    end
    w.cs, w.ca = 0, 0
  end
  w.weight = 1 - (now - w.bucket * window) / window
  return w
end
local function sendsOf(w)
  return w.ps * w.weight + w.cs
end
local function approvalsOf(w)
  return w.pa * w.weight + w.ca
end
-- A weighted figure as a reply: a Lua number reaches the client truncated to an integer, and
-- tostring() of a fraction costs a microsecond each, so figures go out as whole hundredths.
local function hundredths(x)
  return math.floor(x * 100 + 0.5)
end
-- HINCRBY by a literal: a number as a call's argument costs Redis a conversion to text each.
local function saveWindow(w, extend, counted)
  if w.stored ~= w.bucket then
    redis.call('HSET', w.key, 'b', w.bucket, 'ps', w.ps, 'pa', w.pa, 'cs', w.cs, 'ca', w.ca)
  else
    redis.call('HINCRBY', w.key, counted, '1')
  end
  if w.stored ~= w.bucket or extend then
    redis.call('PEXPIRE', w.key, math.max(2 * w.window, w.q - now + w.window))
  end
end
`;

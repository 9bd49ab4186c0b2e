/**
 * Shared by the guard's scripts: two fixed buckets, weighted, approximate a sliding window in
 * constant memory. The current bucket counts in full and the previous one by the share of it
 * that still lies inside the window, so a burst at a bucket's edge is still seen in full.
 *
 * Expects KEYS[1] (a hash: b = bucket index, ps/pa = previous sends/approvals, cs/ca = current
 * ones; q = a prefix's quarantine end, which a country's hash never has) and `window` (ms).
 * Uses `now` (ms, Redis's clock, the same for every instance; see store/redis-scripts.ts).
 * Defines `stored` (the bucket the hash held, -2 if none), `bucket`, `ps`, `pa`, `cs`, `ca` with the buckets rolled forward, `weight`
 * and `q` (0 if none), and `saveWindow(extend)`.
 *
 * `saveWindow(extend)` writes only what a call can change: the current bucket's counts, or every
 * field once the buckets have rolled. Only then, or when `extend` is true (a quarantine begins),
 * is the key's life set: two windows from the first write of its bucket, through the end of the
 * next bucket (the last that reads this one's counts), or a window past the quarantine's end if
 * that is later. A script's Redis calls are most of its cost.
 */
export const SLIDING_WINDOW_LUA = `
local bucket = math.floor(now / window)
local f = redis.call('HMGET', KEYS[1], 'b', 'ps', 'pa', 'cs', 'ca', 'q')
local ps = tonumber(f[2] or '0')
local pa = tonumber(f[3] or '0')
local cs = tonumber(f[4] or '0')
local ca = tonumber(f[5] or '0')
local q = tonumber(f[6] or '0')
local stored = tonumber(f[1] or '-2')
if stored ~= bucket then
  if stored == bucket - 1 then
    ps, pa = cs, ca
  else
    ps, pa = 0, 0
  end
  cs, ca = 0, 0
end
local weight = 1 - (now - bucket * window) / window
local function saveWindow(extend)
  if stored ~= bucket then
    redis.call('HSET', KEYS[1], 'b', bucket, 'ps', ps, 'pa', pa, 'cs', cs, 'ca', ca)
  else
    redis.call('HSET', KEYS[1], 'cs', cs, 'ca', ca)
  end
  if stored ~= bucket or extend then
    redis.call('PEXPIRE', KEYS[1], math.max(2 * window, q - now + window))
  end
end
`;

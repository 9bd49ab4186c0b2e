/**
 * Shared by the guard's scripts: two fixed buckets, weighted, approximate a sliding window in
 * constant memory. The current bucket counts in full and the previous one by the share of it
 * that still lies inside the window, so a burst at a bucket's edge is still seen in full.
 *
 * Expects KEYS[1] (a hash: b = bucket index, ps/pa = previous sends/approvals, cs/ca = current
 * ones) and `window` (ms). Defines `now` (ms, Redis's clock, the same for every instance),
 * `bucket`, `ps`, `pa`, `cs`, `ca` with the buckets rolled forward, and `weight`.
 */
export const SLIDING_WINDOW_LUA = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local bucket = math.floor(now / window)
local f = redis.call('HMGET', KEYS[1], 'b', 'ps', 'pa', 'cs', 'ca')
local ps = tonumber(f[2] or '0')
local pa = tonumber(f[3] or '0')
local cs = tonumber(f[4] or '0')
local ca = tonumber(f[5] or '0')
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
`;

import { redisScript } from '../store/redis-scripts.js';

/**
 * An `Idempotency-Key`'s state is one hash: `f` the fingerprint of the body, `a` the answer as
 * JSON once there is one. Claiming is one step, so two instances that receive the same key at
 * once cannot both serve it.
 *
 * KEYS[1] the key (otp-keys.ts)  ARGV[1] fingerprint  ARGV[2] in-flight lifetime ms, after
 * which a claim whose instance died lets a retry through
 *
 * Returns { 'claimed' } | { 'reused' } | { 'in_use' } | { 'replay', answer }.
 */
export const CLAIM_IDEMPOTENCY_KEY_SCRIPT = redisScript(
  'otpIdempotencyClaim',
  1,
  'write',
  `
local state = redis.call('HMGET', KEYS[1], 'f', 'a')
if not state[1] then
  redis.call('HSET', KEYS[1], 'f', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return { 'claimed' }
end
if state[1] ~= ARGV[1] then return { 'reused' } end
if not state[2] then return { 'in_use' } end
return { 'replay', state[2] }
`,
);

/**
 * Keeps the answer of a claimed key. KEYS[1] the key  ARGV[1] fingerprint  ARGV[2] answer JSON
 * ARGV[3] ttl ms. A key no longer held by this fingerprint (expired, claimed again) is left alone.
 * The answer was given already, so it is right whenever Redis runs it: no deadline.
 */
export const COMPLETE_IDEMPOTENCY_KEY_SCRIPT = redisScript(
  'otpIdempotencyComplete',
  1,
  'undo',
  `
if redis.call('HGET', KEYS[1], 'f') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'a', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
);

/** Frees a claimed key without an answer, whenever Redis runs it. KEYS[1] the key  ARGV[1] fingerprint. */
export const RELEASE_IDEMPOTENCY_KEY_SCRIPT = redisScript(
  'otpIdempotencyRelease',
  1,
  'undo',
  `
local state = redis.call('HMGET', KEYS[1], 'f', 'a')
if state[1] ~= ARGV[1] or state[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`,
);

import { NUMBER_STATE_PRELUDE } from './number-state.lua.js';
import { VERIFICATION_RECORD_PRELUDE } from './verification-record.lua.js';

/**
 * Takes back an issue whose SMS failed, so the user can ask again at once.
 *
 * KEYS[1] the number's state (fields in number-state.lua.ts)
 * ARGV[1] HMAC of the code being taken back  ARGV[2] stem of the number's verification records
 *
 * The code's verification becomes failed: no message reached a provider.
 *
 * A newer code (another HMAC) is left alone: only its own issue may revoke it. The undo of an
 * issue that timed out on a stalled Redis may run before the issue itself (a client resends a
 * script Redis did not know yet), so a revoke that finds no such code leaves the HMAC as a
 * tombstone for two minutes, and that issue, if it comes within them, does nothing.
 */
/** Longer than any stall after which a queued issue could still run. */
const REVOKED_ISSUE_MEMORY_MS = 120_000;

export const REVOKE_CODE_SCRIPT = `${NUMBER_STATE_PRELUDE}${VERIFICATION_RECORD_PRELUDE}
local key = KEYS[1]
local state = redis.call('HMGET', key, 'h', 's', 'w', 'x')
if state[1] ~= ARGV[1] then
  redis.call('HSET', key, 'r', ARGV[1], 't', now + ${REVOKED_ISSUE_MEMORY_MS})
  expireAtLeast(key, now + ${REVOKED_ISSUE_MEMORY_MS})
  return 0
end
local sends = live(state[2], secondsToMs(state[3]))
redis.call('HDEL', key, 'h', 'a', 'x', 'c')
settle(recordOf(ARGV[2], ARGV[1], state[4]), 'failed')
if sends > 1 then
  redis.call('HSET', key, 's', sends - 1)
else
  redis.call('HDEL', key, 's', 'w')
end
return 1
`;

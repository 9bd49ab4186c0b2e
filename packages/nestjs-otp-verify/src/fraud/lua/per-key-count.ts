import { redisScript, type RedisScript } from '../../store/redis-scripts.js';

/**
 * A send's counters at most: a country budget, two global budgets, a country, and every prefix
 * length `PREFIX_DIGITS` allows (4 to 12: nine).
 */
export const MAX_COUNTERS = 13;

/**
 * One script over any number of keys, declared once per key count (`name` + the count), since a
 * declaration fixes its key count. The text is the same, so Redis caches it once. Indexed by key
 * count.
 */
export function perKeyCount(name: string, kind: RedisScript['kind'], lua: string): RedisScript[] {
  return Array.from({ length: MAX_COUNTERS + 1 }, (_, keys) =>
    redisScript(`${name}${keys}`, keys, kind, lua),
  );
}

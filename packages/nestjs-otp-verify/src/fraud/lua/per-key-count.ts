import { redisScript, type RedisScript } from '../../store/redis-scripts.js';

/**
 * A send's counters at most: a country budget, two global budgets, a country, and every prefix
 * length `PREFIX_DIGITS` allows (4 to 12: nine).
 */
export const MAX_COUNTERS = 13;

/**
 * One script over any number of keys, declared once per key count (`name` + the count): ioredis
 * routes an auto-pipelined command by its first argument, which must then be a key, and a
 * pipeline knows only the commands declared before it began. Indexed by key count.
 */
export function perKeyCount(name: string, kind: RedisScript['kind'], lua: string): RedisScript[] {
  return Array.from({ length: MAX_COUNTERS + 1 }, (_, keys) =>
    redisScript(`${name}${keys}`, keys, kind, lua),
  );
}

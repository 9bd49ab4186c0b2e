import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Each test writes under its own prefix, so tests never see, or clean up, each other's keys. */
export function uniquePrefix(label = 'test'): string {
  return `${label}:${randomUUID().slice(0, 8)}:`;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

/** A prefix of a test's own on the test Redis, a client to read under it, and its clean-up. */
export function ownKeySpace(label: string): {
  prefix: string;
  redis: Redis;
  release(): Promise<void>;
} {
  const prefix = uniquePrefix(label);
  const redis = new Redis(REDIS_URL);
  return {
    prefix,
    redis,
    async release() {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
}

export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

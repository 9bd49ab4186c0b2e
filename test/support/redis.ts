import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';

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

/** Every key under `prefix`; on a cluster, from every master. */
export async function keysUnder(redis: Redis | Cluster, prefix: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found.sort();
}

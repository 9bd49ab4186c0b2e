import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ownKeySpace } from '../../../../test/support/redis.js';
import {
  REDIS_GIVE_UP_AFTER_MS,
  RedisDeadline,
  requestRedisDeadline,
  withRequestRedisDeadline,
} from './redis-deadline.js';
import { redisScript, redisScripts } from './redis-scripts.js';

const COUNT = redisScript('otpTestCount', 1, 'write', `return redis.call('INCR', KEYS[1])`);

describe('RedisDeadline', () => {
  const { prefix, redis, release } = ownKeySpace('deadline');
  afterAll(release);

  it('is one per request: the guard and the route are handed the same one', async () => {
    const request = {};
    const first = requestRedisDeadline(request);
    await sleep(1);
    await withRequestRedisDeadline(request, async (deadline) => {
      expect(deadline).toBe(first);
    });
    expect(requestRedisDeadline({})).not.toBe(first);
  });

  it("leaves a provider's time out of the store's", async () => {
    const deadline = RedisDeadline.startingNow();
    await deadline.excluding(() => sleep(REDIS_GIVE_UP_AFTER_MS + 100));
    expect(deadline.remainingMs()).toBeGreaterThan(REDIS_GIVE_UP_AFTER_MS / 2);
    // A write after a slow provider still runs.
    const key = `${prefix}{after-provider}`;
    await redisScripts(redis).run(COUNT, [key], [], deadline);
    expect(await redis.get(key)).toBe('1');
  }, 10_000);

  it('refuses a write once the request has given up, and Redis never runs it', async () => {
    const deadline = RedisDeadline.startingNow();
    await sleep(REDIS_GIVE_UP_AFTER_MS);
    const key = `${prefix}{too-late}`;
    await expect(redisScripts(redis).run(COUNT, [key], [], deadline)).rejects.toThrow();
    await sleep(50);
    expect(await redis.get(key)).toBeNull();
  }, 10_000);
});

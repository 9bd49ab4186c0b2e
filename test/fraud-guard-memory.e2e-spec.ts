import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type {
  SendCounter,
  SendPolicy,
} from '../packages/nestjs-otp-verify/src/fraud/fraud-store.js';
import { RedisFraudStore } from '../packages/nestjs-otp-verify/src/fraud/redis-fraud.store.js';
import { RedisServerProcess } from './support/redis-server.js';

const PREFIXES = 10_000;
const policy: SendPolicy = {
  windowMs: 3_600_000,
  minConversion: 0.2,
  quarantineMs: 43_200_000,
  enforce: true,
  challenge: 'none',
  country: 'GB',
};
const watched = (id: string, minSends = 30): SendCounter[] => [{ kind: 'prefix', id, minSends }];

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

/**
 * What the guard costs in Redis, on a Redis of the test's own so that nothing else moves
 * `used_memory`: the README quotes these figures.
 */
describe('fraud guard memory in Redis', () => {
  let server: RedisServerProcess;
  let redis: Redis;
  beforeAll(async () => {
    server = await RedisServerProcess.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('costs about two hundred bytes per guarded prefix, and a country no more', async () => {
    // Tagged by their first six digits, as with the default lengths 6,7,8.
    const store = new RedisFraudStore(redis, 'otp:', 6);
    const prefixes = Array.from({ length: PREFIXES }, (_, i) => String(44_740_000 + i));
    const before = await usedMemory(redis);
    for (let i = 0; i < prefixes.length; i += 500) {
      await Promise.all(
        prefixes.slice(i, i + 500).map((prefix) => store.admitSend(watched(prefix), policy)),
      );
    }
    const perPrefix = ((await usedMemory(redis)) - before) / PREFIXES;

    // A quarantined prefix keeps its figures and an entry in the listing's index.
    const quarantined = { ...policy, minConversion: 1 };
    const beforeQuarantine = await usedMemory(redis);
    for (let i = 0; i < 1000; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) =>
          store.admitSend(watched(String(33_600_000 + i + j), 1), quarantined),
        ),
      );
    }
    const perQuarantined = ((await usedMemory(redis)) - beforeQuarantine) / 1000;

    // Every two-letter code, so that the delta is not lost in Redis's own noise.
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
    const countries = letters.flatMap((a) => letters.map((b) => a + b));
    const beforeCountries = await usedMemory(redis);
    await Promise.all(
      countries.map((id) =>
        store.admitSend(
          [
            { kind: 'country_budget', id, limit: 1000, windowMs: 86_400_000 },
            { kind: 'country', id, minSends: 200 },
          ],
          policy,
        ),
      ),
    );
    const perCountry = ((await usedMemory(redis)) - beforeCountries) / countries.length / 2;

    process.stdout.write(
      `fraud guard memory: ${Math.round(perPrefix)} B per prefix, ${Math.round(perQuarantined)} B per quarantined prefix, ${Math.round(perCountry)} B per country counter (a budget or a watch)\n`,
    );
    expect(perPrefix).toBeGreaterThan(0);
    expect(perPrefix).toBeLessThan(300);
    expect(perQuarantined).toBeLessThan(500);
    expect(perCountry).toBeLessThan(300);
  });
});

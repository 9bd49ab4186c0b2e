import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { keysUnder, ownKeySpace } from '../../../../test/support/redis.js';
import { DEADLINE_PASSED, type RedisScript } from './redis-scripts.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

async function sourceFiles(dir = SRC): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
    }),
  );
  return nested.flat();
}

/** Every script the module declares, found in its `*.lua.ts` files, so a new one is included. */
async function declaredScripts(): Promise<RedisScript[]> {
  const files = (await sourceFiles()).filter((file) => file.endsWith('.lua.ts'));
  // One at a time: jest's module loader fails on concurrent imports of a module they share.
  const modules: Record<string, unknown>[] = [];
  for (const file of files) modules.push((await import(file)) as Record<string, unknown>);
  // A script over any number of keys is declared once per key count, as an array.
  return modules.flatMap((exports) =>
    Object.values(exports)
      .flat()
      .filter(
        (value): value is RedisScript =>
          typeof value === 'object' && value !== null && 'kind' in value && 'lua' in value,
      ),
  );
}

describe('Redis scripts', () => {
  const { prefix, redis, release } = ownKeySpace('scripts');
  afterAll(release);

  it('every write that Redis runs after its deadline writes nothing and says so', async () => {
    const writes = (await declaredScripts()).filter((script) => script.kind === 'write');
    expect(writes.map((script) => script.name)).toEqual(
      expect.arrayContaining(['otpIssue', 'otpVerify', 'otpThrottleHit', 'otpFraudAdmitSend4']),
    );
    for (const script of writes) {
      const keys = Array.from({ length: script.numberOfKeys }, (_, i) => `${prefix}{k}:${i}`);
      const args = ['h', 60_000, 5, 0, 5, 60_000, 10, '1', 'GB'];
      // A deadline long past, as after a stall: the last argument, which the script's own lines never see.
      await expect(
        redis.eval(script.lua, script.numberOfKeys, ...keys, ...args, 1_000),
      ).rejects.toThrow(DEADLINE_PASSED);
    }
    expect(await keysUnder(redis, prefix)).toEqual([]);
  });

  it('is the only way the module sends Lua to Redis', async () => {
    const runner = fileURLToPath(new URL('./redis-scripts.ts', import.meta.url));
    const offenders: string[] = [];
    for (const file of await sourceFiles()) {
      if (file === runner) continue;
      const text = await readFile(file, 'utf8');
      if (/defineCommand\(|\.eval(sha)?\(|\.call\(['"]EVAL/i.test(text)) {
        offenders.push(relative(SRC, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});

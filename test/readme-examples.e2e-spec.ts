import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import request from 'supertest';
import ts from 'typescript';
import { freePort, type Spawned, spawnService, waitFor } from './support/spawn-service.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's TypeScript block that contains `marker`, as written. */
function snippet(marker: string): string {
  const block = [...README.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .find((code) => code.includes(marker));
  if (!block) throw new Error(`no TypeScript block of the README contains ${marker}`);
  return block;
}

describe("the README's examples against `npm start` with nothing configured", () => {
  let service: Spawned;
  let base: string;
  let work: string;

  beforeAll(async () => {
    const port = await freePort();
    // What `npm start` runs on a fresh machine: no variable but the port.
    service = spawnService({ PORT: String(port) });
    await waitFor(async () => service.stdout().includes('Listening on'));
    base = `http://127.0.0.1:${port}`;
    work = await mkdtemp(join(tmpdir(), 'otp-readme-'));
  });
  afterAll(async () => {
    await service?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('checks a verification token with the jose snippet as written', async () => {
    const phoneNumber = '+14155552671';
    await request(base).post('/api/otp/request').send({ phoneNumber }).expect(202);
    await waitFor(async () => /verification code is \d{6}/.test(service.stdout()));
    const code = /verification code is (\d{6})/.exec(service.stdout())?.[1] as string;
    const verified = await request(base)
      .post('/api/otp/verify')
      .send({ phoneNumber, code })
      .expect(200);

    // Only what cannot be the same here is changed: the port, and where `jose` is installed.
    const source = snippet('jwtVerify')
      .replace('http://localhost:3000', base)
      .replace(
        "from 'jose'",
        `from '${pathToFileURL(createRequire(import.meta.url).resolve('jose'))}'`,
      );
    const program = `${ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } }).outputText}
console.log(await verifiedPhoneNumber(process.argv[2]));`;
    await writeFile(join(work, 'check-token.mjs'), program);
    const { stdout } = await run(process.execPath, [
      join(work, 'check-token.mjs'),
      verified.body.verificationToken,
    ]);
    expect(stdout.trim()).toBe(phoneNumber);
  });
});

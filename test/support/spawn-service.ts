import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

export { freePort };

export const MAIN_JS = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Kills it by PID unless it has exited; safe to call in afterAll after any failure. */
  stop(): Promise<void>;
}

export function spawnProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
): Spawned {
  // A temporary cwd, so a developer's .env is not loaded; PATH only, so no variable leaks in.
  const child = spawn(command, args, {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

/** The built service (`npm run build`), as `npm start` runs it. */
export const spawnService = (env: Record<string, string>): Spawned =>
  spawnProcess(process.execPath, [MAIN_JS], env);

/** Polls until `check` holds; generous, since other test runs share the machine's two cores. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Every process the bench starts, and everything it must undo: each child is stopped by its PID
 * (SIGTERM, then SIGKILL after 5 s), also on failure, Ctrl-C or the bench's own death.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from './settings.js';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

/** Runs `cleanup` when the bench stops everything; the returned function forgets it. */
export function atStop(cleanup: () => Promise<unknown>): () => void {
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.indexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, HOST, () => server.close(() => resolve(true)));
  });

export function start(
  name: string,
  args: string[],
  env: Record<string, string>,
  command = process.execPath,
) {
  const child = spawn(command, args, {
    // A directory of its own: the service must not pick up a developer's .env.
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-2000)));
  children.push(child);
  return { child, name, pid: child.pid as number, stderr: () => stderr };
}
export type Started = ReturnType<typeof start>;

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = once(child, 'exit');
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
  await Promise.allSettled(children.splice(0).map(stopChild));
}

/** Waits up to 30 s for `check` to hold; fails at once, with its stderr, if `what` exits. */
export async function until(what: Started, check: () => Promise<boolean>) {
  for (let i = 0; i < 300; i++) {
    if (what.child.exitCode !== null) throw new Error(`${what.name} exited: ${what.stderr()}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what.name} did not come up: ${what.stderr()}`);
}

// Last resort if the bench itself dies: no child may outlive it.
process.once('exit', () =>
  children.forEach((child) => child.exitCode === null && child.kill('SIGKILL')),
);

import { once } from 'node:events';

/** Stops, by its PID, the Redis the run started for itself (see global-setup.ts). */
export default async function globalTeardown(): Promise<void> {
  const child = globalThis.testRedisServer;
  if (!child?.pid || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(child.pid, 'SIGKILL');
  await exited;
}

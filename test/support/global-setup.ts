import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

declare global {
  var testRedisServer: ChildProcess | undefined;
}

/**
 * Once per run, before any test: the tests start their own Redis servers (fault injection, a
 * cluster), so a missing `redis-server` ends the run here in one line instead of as timeouts
 * spread over many suites. Without `REDIS_URL` a Redis of the run's own serves the rest; the
 * workers inherit the variable. Jest loads this file outside its module mapping, so it imports
 * nothing of ours and starts Redis with Node alone.
 */
export default async function globalSetup(): Promise<void> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    console.error(
      '\nThe tests need a redis-server binary (Redis 7) on the PATH: install it first, e.g. `apt-get install redis-server` or `brew install redis`.',
    );
    process.exit(1);
  }
  if (process.env.REDIS_URL) return;
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`redis-server exited: ${output.slice(-200)}`)));
  });
  child.stdout?.removeAllListeners('data').resume();
  globalThis.testRedisServer = child;
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
}

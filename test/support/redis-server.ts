import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port nothing listens on right now: the OS picks it, the probe lets it go. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A redis-server of the test's own, on loopback, keeping nothing on disk. `args` are more
 * `redis-server` options (`--maxmemory 2mb`, `--requirepass ...`).
 */
export class RedisServerProcess {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(args: string[] = []): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(await freePort());
    await server.start(args);
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error('redis-server is not running');
    return this.child.pid;
  }

  /**
   * Starts (again) on the same port and resolves once it accepts connections. Its log line says
   * so, where a PING would not answer a server that wants a password.
   */
  async start(args: string[] = []): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let log = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start: ${log}`)),
        20_000,
      );
      // Read to the end, ready or not: a full pipe would stall the server on its next log line.
      child.stdout.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited: ${log}`));
      });
    });
    await ready;
  }

  /** Stops the process by its PID, stalled or not, and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(child.pid as number, 'SIGKILL');
    await exited;
    this.child = undefined;
  }
}

/**
 * Stalls processes as a frozen Redis would (a VM pause, a slow disk): SIGSTOP now; the function
 * returned sends SIGCONT, and is safe to call twice.
 */
export function stallProcesses(pids: number[]): () => void {
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  };
}

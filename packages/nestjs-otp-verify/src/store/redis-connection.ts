import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { OtpRedisOptions } from '../otp-options.js';
import { RateLimitedError, StoreUnavailableError } from '../otp.errors.js';

export type RedisClient = Redis | Cluster;

/**
 * Fail fast rather than queue: while Redis is away a verification should answer 503 within a
 * moment, not hang until a client gives up. Reconnection goes on in the background, so the
 * service recovers by itself when Redis is back. How long a request waits for Redis is its one
 * deadline (store/redis-deadline.ts), not a timeout per command: the command timeout here is
 * longer, a backstop for the few commands sent outside any request (start-up checks).
 */
const FAIL_FAST = {
  maxRetriesPerRequest: 0,
  connectTimeout: 1000,
  commandTimeout: 2000,
  // Commands of concurrent requests leave in one write: a socket write per command cost a
  // quarter of a verification's CPU. Order on the connection is kept, which an undo sent after
  // a failed request relies on to run after what it undoes.
  enableAutoPipelining: true,
  // How long a closing connection may take before it is cut. ioredis waits for the socket's
  // `close`, which a socket that died with Redis has already sent: the whole wait then holds a
  // stopping process open. A healthy socket on a LAN closes well within it.
  disconnectTimeout: 200,
} satisfies RedisOptions;
const backOff = (attempt: number): number => Math.min(attempt * 100, 1000);

/**
 * While a master fails over, its slots answer 503 at once and the rest of the cluster serves on.
 * A script whose connection closed under it may have run, so it is never sent again: a resend
 * could count one wrong code twice or answer a code that was just approved with 404. CLUSTERDOWN
 * is not retried either, since the vote takes longer than a client should wait. The slot map is
 * refreshed on every MOVED and each second, so the promoted replica takes traffic without a restart.
 */
const CLUSTER_FAILOVER: ClusterOptions = {
  enableAutoPipelining: true,
  enableOfflineQueue: false,
  clusterRetryStrategy: backOff,
  retryDelayOnFailover: 0,
  retryDelayOnClusterDown: 0,
  slotsRefreshInterval: 1000,
  slotsRefreshTimeout: 1000,
  redisOptions: FAIL_FAST,
};

export function createRedisClient(options: OtpRedisOptions): RedisClient {
  if ('client' in options) return options.client;
  if ('clusterNodes' in options) return new Cluster(options.clusterNodes, CLUSTER_FAILOVER);
  return new Redis(options.url, {
    ...FAIL_FAST,
    enableOfflineQueue: false,
    retryStrategy: backOff,
  });
}

/**
 * Resolves once the client is ready, or after `timeoutMs` either way: start-up must not hang. A
 * cluster opens its connection to each master on that master's first command and refuses (never
 * queues, see above) the commands that come while it opens, so every master is connected here.
 */
export async function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (client.status !== 'ready') {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  if (!(client instanceof Cluster)) return true;
  const masters = client.nodes('master');
  const connected = Promise.all(
    masters.map((node) => (node.status === 'wait' ? node.connect() : undefined)),
  );
  connected.catch(() => undefined);
  // Unreferenced: once the masters answer, a wait left running must not hold the process open.
  await Promise.race([
    connected,
    sleep(Math.max(deadline - Date.now(), 0), undefined, { ref: false }),
  ]);
  return masters.every((node) => node.status === 'ready');
}

const connectionErrors = new WeakMap<RedisClient, Error>();

/**
 * Remembers why the connection last failed. A command sent while the client reconnects fails
 * with "Stream isn't writeable", which hides the cause an operator needs (WRONGPASS, ECONNREFUSED).
 */
export function watchConnection(client: RedisClient): void {
  client.on('error', (error: Error) => connectionErrors.set(client, error));
  client.on('ready', () => connectionErrors.delete(client));
}

/**
 * Why a Redis call failed, in one short line: the reply's own words (OOM, WRONGPASS, Command
 * timed out), with the connection's cause when the client is not connected. Never a stack.
 */
export function redisFailureCause(client: RedisClient, error: unknown): string {
  const firstLine = (e: unknown) =>
    (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
  if (client.status === 'ready') return firstLine(error);
  const connection = connectionErrors.get(client);
  const cause = connection ? firstLine(connection) : `connection ${client.status}`;
  return `${cause} (${firstLine(error)})`;
}

/**
 * Runs one Redis call of a store: a failure is logged with its cause (never a key or a value) and
 * becomes `store_unavailable`, the one answer the contract gives for a store that cannot serve.
 */
export async function callStore<T>(
  client: RedisClient,
  logger: Pick<Logger, 'warn'>,
  command: () => Promise<T>,
): Promise<T> {
  try {
    return await command();
  } catch (error) {
    // A refusal Redis decided (a throttler's hit that rode on the call) is an answer, not a failure.
    if (error instanceof RateLimitedError) throw error;
    logger.warn(`Redis call failed: ${redisFailureCause(client, error)}`);
    throw new StoreUnavailableError();
  }
}

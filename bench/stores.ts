/**
 * The Redis the servers share for one part of a run: one `redis-server`, or a Redis Cluster of
 * three masters, each on free loopback ports, in a temporary directory, persistence off.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { redisCpuMicros } from './cpu.js';
import { atStop, canListen, freePort, start, type Started, until } from './processes.js';
import { HOST } from './settings.js';

export interface Store {
  kind: string;
  /** One Redis (not a cluster): the Redis CPU targets apply to it. */
  single: boolean;
  /** Environment that points the service and the peer at it. */
  env: Record<string, string>;
  client: Redis | Cluster;
  /** INFO used_memory summed over every master. */
  usedMemory(): Promise<number>;
  /** INFO used_cpu_user + used_cpu_sys summed over every master, in microseconds. */
  cpuMicros(): Promise<number>;
}

async function redisServer(dir: string, port: number, extra: string[] = []): Promise<Started> {
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  const server = start(
    `redis-server ${port}`,
    [...args, '--dir', dir, ...extra],
    {},
    'redis-server',
  );
  const probe = new Redis({ host: HOST, port, lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => undefined);
  await until(server, async () => {
    if (probe.status !== 'ready') await probe.connect();
    return (await probe.ping()) === 'PONG';
  });
  probe.disconnect();
  return server;
}

const usedMemoryOf = async (node: Redis): Promise<number> =>
  Number(/used_memory:(\d+)/.exec(await node.info('memory'))?.[1]);

const sum = async (nodes: Redis[], read: (node: Redis) => Promise<number>): Promise<number> =>
  (await Promise.all(nodes.map(read))).reduce((total, value) => total + value, 0);

export async function startStore(kind: string): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-bench-'));
  atStop(() => rm(dir, { recursive: true, force: true }));
  if (kind === 'single') {
    const port = await freePort();
    await redisServer(dir, port);
    const client = new Redis({ host: HOST, port });
    atStop(async () => client.disconnect());
    return {
      kind: 'one Redis',
      single: true,
      env: { REDIS_URL: `redis://${HOST}:${port}` },
      client,
      usedMemory: () => usedMemoryOf(client),
      cpuMicros: () => redisCpuMicros(client),
    };
  }
  // Three masters, no replicas: the cluster bus port (+10000) must be free as well.
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (port < 55_000 && !ports.includes(port) && (await canListen(port + 10_000)))
      ports.push(port);
  }
  await Promise.all(
    ports.map((port) =>
      redisServer(dir, port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
      ]),
    ),
  );
  await promisify(execFile)('redis-cli', [
    ...['--cluster', 'create', ...ports.map((port) => `${HOST}:${port}`)],
    ...['--cluster-replicas', '0', '--cluster-yes'],
  ]);
  const masters = ports.map((port) => new Redis({ host: HOST, port }));
  for (let i = 0; i < 100; i++) {
    const infos = await Promise.all(masters.map((m) => m.cluster('INFO')));
    if (infos.every((info) => info.includes('cluster_state:ok'))) break;
    await sleep(100);
  }
  const client = new Cluster(ports.map((port) => ({ host: HOST, port })));
  atStop(async () => {
    client.disconnect();
    masters.forEach((m) => m.disconnect());
  });
  return {
    kind: 'Redis Cluster, 3 masters',
    single: false,
    env: { REDIS_CLUSTER_NODES: ports.map((port) => `${HOST}:${port}`).join(',') },
    client,
    usedMemory: () => sum(masters, usedMemoryOf),
    cpuMicros: () => sum(masters, redisCpuMicros),
  };
}

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';

const run = promisify(execFile);
const HOST = '127.0.0.1';

export interface ClusterNode {
  host: string;
  port: number;
}

export interface RedisClusterUnderTest {
  seeds: ClusterNode[];
  /** The value of REDIS_CLUSTER_NODES for these seeds. */
  nodesEnv: string;
  /** The port of the master that owns `key`'s slot. */
  masterOf(key: string): Promise<number>;
  /** The PID of the node on `port`. */
  pidOf(port: number): number;
  /** SIGKILLs the master that owns `key`'s slot; resolves with its port. */
  killMasterOf(key: string): Promise<number>;
  /** Resolves once every slot has a live master and every live node says the cluster is ok. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, HOST, () => server.close(() => resolve(true)));
  });

/** A port the OS calls free whose cluster bus port (+10000) is free as well. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, HOST, () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (port < 55_000 && !taken.has(port) && (await canListen(port + 10_000))) return port;
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`Redis Cluster: timed out waiting for ${what}`);
}

async function ask<T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await command(redis);
  } finally {
    redis.disconnect();
  }
}

const clusterOk = (port: number) =>
  ask(port, async (r) => (await r.cluster('INFO')).includes('cluster_state:ok'));

export interface RedisClusterShape {
  /** Replicas per master: 1 by default, so that a killed master is replaced. */
  replicas?: number;
  /** How long a silent node may stay silent before it is failed over; 1000 ms by default. */
  nodeTimeoutMs?: number;
}

/**
 * A real Redis Cluster of three masters and (by default) three replicas on free loopback ports,
 * with a short node timeout so that a killed master is replaced within seconds. A cluster for
 * stalls (SIGSTOP) wants no replicas and a long node timeout, so that a paused master stays the
 * master. Every process is stopped by PID and the data directory removed by `stop()`.
 */
export async function startRedisCluster(
  shape: RedisClusterShape = {},
): Promise<RedisClusterUnderTest> {
  const replicas = shape.replicas ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'otp-cluster-'));
  const taken = new Set<number>();
  const processes = new Map<number, ChildProcess>();

  const stop = async (): Promise<void> => {
    await Promise.all(
      [...processes.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < 3 * (1 + replicas); i++) {
      const port = await freeClusterPort(taken);
      taken.add(port);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          HOST,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          String(shape.nodeTimeoutMs ?? 1000),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      );
      processes.set(port, child);
    }
    const ports = [...processes.keys()];
    await Promise.all(
      ports.map((port) =>
        until(`:${port}`, 10_000, () => ask(port, async (r) => (await r.ping()) === 'PONG')),
      ),
    );
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    const masterOf = (key: string) =>
      ask(ports[0], async (r) => {
        const slot = Number(await r.cluster('KEYSLOT', key));
        const ranges = await r.cluster('SLOTS');
        const owner = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
        if (!owner) throw new Error(`no master owns slot ${slot}`);
        return owner[1];
      });
    const cluster: RedisClusterUnderTest = {
      seeds: ports.map((port) => ({ host: HOST, port })),
      nodesEnv: ports.map((port) => `${HOST}:${port}`).join(','),
      masterOf,
      pidOf(port) {
        const pid = processes.get(port)?.pid;
        if (pid === undefined) throw new Error(`no node on port ${port}`);
        return pid;
      },
      async killMasterOf(key) {
        const port = await masterOf(key);
        const child = processes.get(port);
        await new Promise((resolve) => {
          child?.once('exit', resolve);
          child?.kill('SIGKILL');
        });
        return port;
      },
      async waitUntilHealthy(timeoutMs = 30_000) {
        const live = () =>
          ports.filter(
            (p) => processes.get(p)?.exitCode === null && processes.get(p)?.signalCode === null,
          );
        await until('every live node to report cluster_state:ok', timeoutMs, async () => {
          const states = await Promise.all(live().map(clusterOk));
          return states.every(Boolean);
        });
        // Replicas that have synced: a write acknowledged by a replica of each live master.
        await until('replicas in sync', timeoutMs, async () => {
          const roles = await Promise.all(live().map((p) => ask(p, (r) => r.info('replication'))));
          return roles.every(
            (info) => !info.includes('role:slave') || info.includes('master_link_status:up'),
          );
        });
      },
      stop,
    };
    await cluster.waitUntilHealthy();
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Deletes every key under `prefix` from every master: SCAN only sees one node's keys. Connects
 * afresh so that a failover during the test cannot leave it a stale slot map.
 */
export async function deleteClusterKeys(nodesEnv: string, prefix: string): Promise<void> {
  const cluster = new Cluster(nodesEnv.split(',').map((node) => node.trim()));
  cluster.on('error', () => undefined);
  try {
    await new Promise((resolve) => cluster.once('ready', resolve));
    await Promise.all(
      cluster.nodes('master').map(async (node) => {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          // One DEL per key: a multi-key DEL across slots is refused, even on one node.
          if (keys.length > 0) await node.pipeline(keys.map((key) => ['del', key])).exec();
          cursor = next;
        } while (cursor !== '0');
      }),
    );
  } finally {
    cluster.disconnect();
  }
}

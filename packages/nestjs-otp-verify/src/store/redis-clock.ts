import { performance } from 'node:perf_hooks';
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './redis-connection.js';

/** Clocks drift and get stepped: a measure older than this is taken again, in the background. */
const REMEASURE_AFTER_MS = 60_000;

/**
 * How far Redis's clock (`TIME`, which scripts read) is ahead of this process's monotonic clock,
 * measured on each connection when it (re)connects: a deadline of this process becomes a time
 * Redis can check. `TIME` was read at some moment between sending and receiving, so the offset
 * kept is the smallest it can be (`TIME` minus the receiving moment): a converted deadline is
 * never later than the true one. A cluster's nodes each have their own clock; the smallest
 * offset of all masters is kept, so a deadline is never late on any node (it is early, on a node
 * whose clock is ahead, by the difference between the clocks).
 */
export class RedisClock {
  private offsetMs?: number;
  private measuredAt = 0;
  private measuring?: Promise<number>;
  private readonly watched = new WeakSet<Redis>();

  constructor(private readonly redis: RedisClient) {
    this.watch(redis);
    if (redis instanceof Cluster) redis.on('+node', (node: Redis) => this.watch(node));
  }

  /** Redis's time, in milliseconds, at the moment `local` of this process's monotonic clock. */
  async toRedisTime(local: number): Promise<number> {
    return local + (this.offsetNow() ?? (await this.measure()));
  }

  /** The offset, if it is known; a stale one is measured again in the background. */
  offsetNow(): number | undefined {
    if (this.offsetMs !== undefined && performance.now() - this.measuredAt > REMEASURE_AFTER_MS) {
      this.measure().catch(() => undefined);
    }
    return this.offsetMs;
  }

  private watch(connection: RedisClient): void {
    if (connection instanceof Cluster || this.watched.has(connection)) return;
    this.watched.add(connection);
    connection.on('ready', () => (this.offsetMs = undefined));
  }

  private measure(): Promise<number> {
    this.measuring ??= this.measureAll().finally(() => (this.measuring = undefined));
    return this.measuring;
  }

  private async measureAll(): Promise<number> {
    const redis = this.redis;
    const connections = redis instanceof Cluster ? redis.nodes('master') : [redis];
    connections.forEach((connection) => this.watch(connection));
    // A master that is down (failing over) must not stop the others' slots from being served.
    const measured = await Promise.allSettled(connections.map(offsetOf));
    const offsets = measured.flatMap((m) => (m.status === 'fulfilled' ? [m.value] : []));
    if (offsets.length === 0) {
      const failure = measured.find((m) => m.status === 'rejected');
      throw failure?.reason ?? new Error('no Redis node to read the clock of');
    }
    const offset = Math.min(...offsets);
    this.offsetMs = offset;
    this.measuredAt = performance.now();
    return offset;
  }
}

async function offsetOf(connection: Redis): Promise<number> {
  const [seconds, micros] = await connection.time();
  const received = performance.now();
  return Number(seconds) * 1000 + Number(micros) / 1000 - received;
}

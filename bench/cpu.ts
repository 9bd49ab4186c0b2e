/**
 * CPU time, read before and after a round so that it divides into CPU per answer: the server's
 * from the kernel, Redis's from its own INFO (summed over every master of a cluster).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';

const clockTicks = promisify(execFile)('getconf', ['CLK_TCK']).then(
  ({ stdout }) => Number(stdout) || 100,
);

/** CPU time of a process, all its threads, in microseconds (`/proc/<pid>/stat` utime + stime). */
export async function processCpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / (await clockTicks);
}

/** INFO used_cpu_user + used_cpu_sys of one Redis node, in microseconds. */
export async function redisCpuMicros(node: Redis): Promise<number> {
  const info = await node.info('cpu');
  const seconds = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

export interface CpuReading {
  server: number;
  redis: number;
}

/** The server's and its Redis's CPU time now, in microseconds. */
export async function readCpu(
  pid: number,
  redisMicros: () => Promise<number>,
): Promise<CpuReading> {
  const [server, redis] = await Promise.all([processCpuMicros(pid), redisMicros()]);
  return { server, redis };
}

/** CPU per answer, in microseconds, between two readings. */
export function cpuPerAnswer(before: CpuReading, after: CpuReading, answers: number): CpuReading {
  const per = (from: number, to: number) => Math.round((to - from) / Math.max(answers, 1));
  return { server: per(before.server, after.server), redis: per(before.redis, after.redis) };
}

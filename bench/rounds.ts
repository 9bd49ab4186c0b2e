/**
 * One measured run of one path against one server (autocannon, loopback, JSON POSTs built per
 * request), with the CPU it cost the server and its Redis; and the median the tables report.
 */
import autocannon, { type Result } from 'autocannon';
import { readFile } from 'node:fs/promises';
import { cpuPerAnswer, readCpu } from './cpu.js';
import { atStop } from './processes.js';
import { CONNECTIONS, DURATION } from './settings.js';

export interface Measure {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  /** Answers with another status than the path's, errors and timeouts. */
  unexpected: number;
  peakRssMb?: number;
  /** CPU per answer, in microseconds, of the server's process (all threads) and of Redis. */
  serverCpuUs?: number;
  redisCpuUs?: number;
}

/** The server under load: its CPU and its Redis's are read around the run, its memory sampled if `rss`. */
export interface Measured {
  pid: number;
  redisCpuMicros: () => Promise<number>;
  rss?: boolean;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export async function measure(
  url: string,
  body: () => object,
  expected: number,
  server?: Measured,
): Promise<Measure> {
  let peakRssMb = 0;
  const pid = server?.pid;
  const sampler =
    pid && server.rss
      ? setInterval(async () => (peakRssMb = Math.max(peakRssMb, await rssMb(pid))), 250)
      : undefined;
  const cpuOf = (s: Measured) => readCpu(s.pid, s.redisCpuMicros);
  const cpuBefore = server && (await cpuOf(server));
  const instance = autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }],
  });
  const forget = atStop(async () => instance.stop());
  const result: Result = await instance;
  forget();
  clearInterval(sampler);
  const cpuAfter = server && (await cpuOf(server));
  const matching = result.statusCodeStats[String(expected)]?.count ?? 0;
  const cpu = cpuBefore && cpuAfter && cpuPerAnswer(cpuBefore, cpuAfter, result.requests.total);
  return {
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    unexpected: result.requests.total - Number(matching) + result.errors + result.timeouts,
    ...(sampler ? { peakRssMb: Math.round(peakRssMb) } : {}),
    ...(cpu && { serverCpuUs: cpu.server, redisCpuUs: cpu.redis }),
  };
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * From the rounds to the figures: the median of each side on each path, the product's ratios
 * and the targets as met or missed; then the lines `npm run bench` prints.
 */
import { MEMORY_CODES } from './memory.js';
import type { ProfileSummary } from './profile.js';
import type { Rates, Side } from './paths.js';
import { median, type Measure } from './rounds.js';
import { CONNECTIONS, DURATION, ROUNDS, wanted } from './settings.js';
import type { Store } from './stores.js';
import {
  MEMORY_TARGET_BYTES,
  type PathName,
  REDIS_CPU_TARGETS_US,
  TARGETS,
  verdict,
} from './targets.js';

export type Round = Record<Side, Rates>;

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The median over the rounds of one side's path, of its rate unless `pick` says otherwise. */
function medianOf(
  rounds: Round[],
  side: Side,
  path: PathName,
  pick: (m: Measure) => number = (m) => m.reqPerSec,
): number {
  return median(
    rounds
      .map((m) => m[side][path])
      .filter((x): x is Measure => !!x)
      .map(pick),
  );
}

const cpuOf = (rounds: Round[], side: Side, path: PathName) => ({
  server: medianOf(rounds, side, path, (m) => m.serverCpuUs ?? NaN),
  redis: medianOf(rounds, side, path, (m) => m.redisCpuUs ?? NaN),
});

const unexpectedOf = (rounds: Round[], side: Side, path: PathName) =>
  rounds.reduce((sum, m) => sum + (m[side][path]?.unexpected ?? 0), 0);

export function summarise(rounds: Round[], store: Store) {
  const ceilingRate = medianOf(rounds, 'ceiling', 'request');
  return TARGETS.filter((t) => wanted(t.path)).map((t) => {
    const productRate = medianOf(rounds, 'product', t.path);
    const peerRate = medianOf(rounds, 'peer', t.versus);
    const bareRate = medianOf(rounds, 'bare', t.versus);
    const target = store.single ? t.single : t.cluster;
    const productCpu = cpuOf(rounds, 'product', t.path);
    const redisCpuTarget = store.single ? REDIS_CPU_TARGETS_US[t.path] : undefined;
    return {
      path: t.path,
      status: t.expected,
      product: Math.round(productRate),
      peer: Math.round(peerRate),
      bare: Math.round(bareRate),
      peerPath: t.versus,
      ceiling: Math.round(ceilingRate),
      productPerPeer: round2(productRate / peerRate),
      productPerBare: round2(productRate / bareRate),
      productPerCeiling: round2(productRate / ceilingRate),
      productP99Ms: medianOf(rounds, 'product', t.path, (m) => m.p99),
      target,
      pass: productRate / peerRate >= target,
      redisCpuTarget,
      redisCpuPass: redisCpuTarget === undefined || productCpu.redis <= redisCpuTarget,
      unexpected: unexpectedOf(rounds, 'product', t.path),
      peerUnexpected: unexpectedOf(rounds, 'peer', t.versus),
      bareUnexpected: unexpectedOf(rounds, 'bare', t.versus),
      peakRssMb: Math.max(...rounds.map((m) => m.product[t.path]?.peakRssMb ?? 0)),
      cpuUs: {
        product: productCpu.server,
        productRedis: productCpu.redis,
        peer: cpuOf(rounds, 'peer', t.versus).server,
        peerRedis: cpuOf(rounds, 'peer', t.versus).redis,
        bare: cpuOf(rounds, 'bare', t.versus).server,
        bareRedis: cpuOf(rounds, 'bare', t.versus).redis,
      },
    };
  });
}
export type Row = ReturnType<typeof summarise>[number];

/** One line per round, as it ends: each path's rate on the product and on the prescribed peer. */
export function printRound(index: number, order: Side[], m: Round): void {
  const rate = (x?: Measure) => (x ? String(Math.round(x.reqPerSec)) : '-');
  console.log(
    `round ${index + 1} (${order.join(', ')}): ` +
      TARGETS.filter((t) => wanted(t.path))
        .map((t) => `${t.path} ${rate(m.product[t.path])}/${rate(m.peer[t.versus])}`)
        .join(', ') +
      `, ceiling ${rate(m.ceiling.request)} req/s (product/peer)`,
  );
}

const cell = (value: number | string, width: number) => String(value).padStart(width);

export function printTable(store: Store, rows: Row[], rounds: Round[], memoryBytes: number): void {
  console.log(
    `\n${store.kind}: median of ${ROUNDS} rounds, ${DURATION} s per path, ${CONNECTIONS} connections`,
  );
  console.log(
    'path (status)        product   peer   bare  ceiling  product÷peer  product÷bare  product÷ceiling  target',
  );
  for (const r of rows) {
    const versus = r.peerPath === r.path ? '' : ` (peers ${r.peerPath})`;
    console.log(
      `${`${r.path} (${r.status})`.padEnd(19)} ${cell(r.product, 8)} ${cell(r.peer, 6)} ` +
        `${cell(r.bare, 6)} ${cell(r.ceiling, 8)}  ${cell(r.productPerPeer.toFixed(2), 12)}  ` +
        `${cell(r.productPerBare.toFixed(2), 12)}  ${cell(r.productPerCeiling.toFixed(2), 15)}  ` +
        `≥${r.target.toFixed(2)} ${verdict(r.pass)}${versus}`,
    );
  }
  console.log('peer: the prescribed design, the target compares with it; bare: informational.');

  const ceilingCpu = medianOf(rounds, 'ceiling', 'request', (m) => m.serverCpuUs ?? NaN);
  console.log(
    'CPU per answer, µs (median), service + its Redis vs peer + its Redis (bare peer + its Redis); ' +
      `the bare route ${ceilingCpu} + 0:`,
  );
  for (const r of rows) {
    const {
      product: p,
      productRedis: pr,
      peer: q,
      peerRedis: qr,
      bare: b,
      bareRedis: br,
    } = r.cpuUs;
    const target =
      r.redisCpuTarget === undefined
        ? ''
        : `; Redis target ≤ ${r.redisCpuTarget}: ${verdict(r.redisCpuPass)}`;
    console.log(`  ${r.path.padEnd(13)} ${p} + ${pr} vs ${q} + ${qr} (bare ${b} + ${br})${target}`);
  }
  for (const r of rows) {
    if (!rounds.some((m) => m.floor[r.path])) continue;
    const rate = medianOf(rounds, 'floor', r.path);
    const cpu = cpuOf(rounds, 'floor', r.path);
    const peer = medianOf(rounds, 'peer', r.path);
    console.log(
      `  the floor of a ${r.path} (bench/floor.ts): ${Math.round(rate)} req/s, ` +
        `${round2(rate / peer).toFixed(2)} × the peer's; ${cpu.server} + ${cpu.redis} µs`,
    );
  }
  console.log(
    `Redis per pending code: ${memoryBytes} bytes (used_memory growth over ` +
      `${MEMORY_CODES} codes; target ≤ ${MEMORY_TARGET_BYTES}: ` +
      `${verdict(memoryBytes <= MEMORY_TARGET_BYTES)})`,
  );
}

export function printProfile(path: string, summary: ProfileSummary): void {
  console.log(
    `\nCPU profile of the service, ${path}: on CPU ${summary.busyPercent}% of the last ${DURATION} s; self time by package:`,
  );
  console.log('  ' + summary.packages.map((p) => `${p.name} ${p.percent}%`).join(', '));
  console.log('  with the Node and native work each library asked for:');
  console.log('  ' + summary.libraries.map((p) => `${p.name} ${p.percent}%`).join(', '));
  console.log('  top functions:');
  for (const f of summary.functions)
    console.log(`    ${String(f.percent).padStart(5)}%  ${f.name}`);
}

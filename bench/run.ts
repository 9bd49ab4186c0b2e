/**
 * `npm run bench`: the service next to the design the seed guides prescribe (bench/peer.ts:
 * Express 5, express-rate-limit, express-validator, the `redis` client, SET/GET/DEL), next to the
 * same peer bare (no limiter, no validator), to a bare Nest route (bench/ceiling.ts) and to the
 * least a design keeping the contract can do (bench/floor.ts), in one
 * run, with one client setting (autocannon, 50 connections, loopback), median of alternating
 * rounds, with the CPU each answer cost the server and Redis; then Redis bytes per pending code.
 * Each target of bench/targets.ts is printed as met or missed. Starts its own Redis (or Redis
 * Cluster) and every server on free loopback ports and stops each by PID, also on failure or
 * Ctrl-C. `npm run bench -- --help` lists the flags (bench/settings.ts).
 *
 * The parts, in the order a run uses them: settings.ts (flags), processes.ts (children and
 * clean-up), stores.ts (Redis), servers.ts (the sides), memory.ts (bytes per code and per verification record), codes.ts
 * (numbers and pending codes), paths.ts (what each side is measured on), rounds.ts (one
 * autocannon run), cpu.ts (CPU per answer), tables.ts (medians, targets, printing).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { memoryPerCode } from './memory.js';
import { type Side, SIDES, profilePath, sidePaths } from './paths.js';
import type { ProfileSummary } from './profile.js';
import { stopAll, stopChild } from './processes.js';
import { productFeatures, startCeiling, startFloor, startPeer, startProduct } from './servers.js';
import {
  CONNECTIONS,
  DURATION,
  PROFILE,
  RESULTS,
  ROUNDS,
  STORES,
  STRICT,
  wanted,
} from './settings.js';
import { startStore } from './stores.js';
import { printProfile, printRound, printTable, type Round, summarise } from './tables.js';
import { MEMORY_TARGET_BYTES, type PathName } from './targets.js';

async function benchStore(kind: string) {
  const store = await startStore(kind);
  const memoryBytesPerCode = await memoryPerCode(store);
  const memoryBytesPerRecord = (await memoryPerCode(store, true)) - memoryBytesPerCode;
  const servers = {
    product: await startProduct('product', store, {}),
    throttled: await startProduct('throttled', store, { RATE_LIMIT_REQUEST_LIMIT: '1' }),
    peer: await startPeer(store, 'prescribed'),
    bare: await startPeer(store, 'bare'),
    ceiling: await startCeiling(),
    floor: await startFloor(store),
  };
  const features = await productFeatures(servers.product, store);
  console.log(
    `\n${store.kind}: verification token ${features.verificationToken ? 'on' : 'not in this build'}, ` +
      `fraud guard ${features.fraudGuard ? 'on' : 'not in this build'} (the service's defaults)`,
  );

  const sides = sidePaths(store, servers);
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order, so that no side always runs on a warmer or a more crowded machine.
    const order: Side[] = round % 2 === 0 ? SIDES : [...SIDES].reverse();
    const m: Round = { product: {}, peer: {}, bare: {}, ceiling: {}, floor: {} };
    for (const side of order) await sides[side](m[side]);
    rounds.push(m);
    printRound(round, order, m);
  }
  const rows = summarise(rounds, store);
  printTable(store, rows, rounds, memoryBytesPerCode);
  console.log(
    `Redis per verification record: ${memoryBytesPerRecord} bytes more (its hash and its id's ` +
      `index, kept OTP_VERIFICATION_RETENTION_SECONDS; the same measure with records)`,
  );

  const profiles: Record<string, ProfileSummary> = {};
  if (PROFILE) {
    for (const path of ['request', 'verify-wrong', 'verify-right', 'refused'] as PathName[]) {
      if (!wanted(path)) continue;
      const rate = rows.find((r) => r.path === path)?.product ?? 5000;
      profiles[path] = await profilePath(store, path, rate);
      printProfile(path, profiles[path]);
    }
  }
  await Promise.all(Object.values(servers).map((s) => stopChild(s.started.child)));
  await stopAll();
  return {
    store: store.kind,
    features,
    rows,
    memoryBytesPerCode,
    memoryBytesPerRecord,
    rounds,
    profiles,
  };
}

async function main(): Promise<void> {
  const began = Date.now();
  const results = [];
  for (const kind of STORES) results.push(await benchStore(kind));
  const cpu = /model name\s*:\s*(.+)/.exec(await readFile('/proc/cpuinfo', 'utf8'))?.[1];
  const machine = { cpus: availableParallelism(), cpu, node: process.version };
  console.log(`\n${machine.cpus} CPUs (${cpu}), Node ${machine.node}; client on the same machine`);
  await mkdir(RESULTS, { recursive: true });
  const file = join(RESULTS, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const settings = { durationSeconds: DURATION, rounds: ROUNDS, connections: CONNECTIONS };
  await writeFile(file, JSON.stringify({ machine, settings, results }, null, 2));
  console.log(`written to ${file} in ${Math.round((Date.now() - began) / 1000)} s`);

  const rows = results.flatMap((r) => r.rows);
  const broken = rows.filter(
    (r) =>
      r.unexpected + r.peerUnexpected + r.bareUnexpected > 0.01 * r.product * DURATION * ROUNDS,
  );
  if (broken.length > 0) {
    throw new Error(`unexpected answers on ${broken.map((r) => r.path).join(', ')}`);
  }
  const missed =
    rows.some((r) => !r.pass || !r.redisCpuPass) ||
    results.some((r) => r.memoryBytesPerCode > MEMORY_TARGET_BYTES);
  if (STRICT && missed) process.exitCode = 2;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`${signal}: stopping everything the bench started`);
    void stopAll().finally(() => process.exit(130));
  });
}

main()
  .catch((error: Error) => {
    if (!interrupted) console.error(`bench failed: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());

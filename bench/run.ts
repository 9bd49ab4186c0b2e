/**
 * `npm run bench`: the service next to the design it replaces (bench/peer.ts: Express, the
 * `redis` client, SET/GET/DEL) and next to a bare Nest route (bench/ceiling.ts), in one run, with
 * one client setting (autocannon, 50 connections, loopback), median of alternating rounds, with
 * the CPU each answer cost the server and Redis; then Redis bytes per pending code. Starts its own Redis (or Redis Cluster) and every server on free
 * loopback ports and stops each by PID, also on failure or Ctrl-C.
 *
 * Flags (or environment): --store=single|cluster|both (BENCH_STORE, default single),
 * --rounds=N (BENCH_ROUNDS, 3), --duration=S seconds per path (BENCH_DURATION, 6),
 * --connections=N (BENCH_CONNECTIONS, 50), --paths=request,refused (BENCH_PATHS, all),
 * --log-level=info (BENCH_LOG_LEVEL), --profile (BENCH_PROFILE=1: a CPU profile of the service
 * per path, summarised), --strict (BENCH_STRICT=1: exit 2 when a target is missed).
 */
import autocannon, { type Result } from 'autocannon';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { hashOtpCode } from '../packages/nestjs-otp-verify/src/code/otp-code.js';
import { OTP_DEFAULTS } from '../packages/nestjs-otp-verify/src/otp-options.js';
import { RedisOtpStore } from '../packages/nestjs-otp-verify/src/store/redis-otp.store.js';
import { summariseProfile, type ProfileSummary } from './profile.js';

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string', default: process.env.BENCH_STORE ?? 'single' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '3' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '6' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '50' },
    paths: { type: 'string', default: process.env.BENCH_PATHS },
    'log-level': { type: 'string', default: process.env.BENCH_LOG_LEVEL ?? 'info' },
    profile: { type: 'boolean', default: process.env.BENCH_PROFILE === '1' },
    strict: { type: 'boolean', default: process.env.BENCH_STRICT === '1' },
  },
});
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BENCH = join(ROOT, 'dist/bench/bench');
const RESULTS = join(ROOT, 'bench/results');
const HOST = '127.0.0.1';
const ROUNDS = Number(flags.rounds);
const DURATION = Number(flags.duration);
const CONNECTIONS = Number(flags.connections);
const STORES = flags.store === 'both' ? ['single', 'cluster'] : [flags.store as string];
const MEMORY_CODES = 20_000;
const MEMORY_TARGET_BYTES = 250;
/** Pending codes take wrong guesses from verify-wrong before verify-right uses them. */
const MAX_ATTEMPTS = 20;
const SECRET = randomBytes(32).toString('hex');
const TOKEN_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const run = promisify(execFile);

type Side = 'product' | 'peer' | 'ceiling';
type PathName = 'request' | 'verify-wrong' | 'verify-right' | 'refused';
interface Target {
  path: PathName;
  expected: number;
  /** The peer's path the product is compared with. */
  versus: PathName;
  target: number;
}
const TARGETS: Target[] = [
  { path: 'request', expected: 202, versus: 'request', target: 2.0 },
  { path: 'verify-wrong', expected: 400, versus: 'verify-wrong', target: 2.0 },
  { path: 'verify-right', expected: 200, versus: 'verify-right', target: 1.5 },
  // A client already refused costs the service a known answer: compared with the cheapest peer path.
  { path: 'refused', expected: 429, versus: 'verify-wrong', target: 2.0 },
];
const ONLY = flags.paths?.split(',');
const wanted = (path: PathName) => !ONLY || ONLY.includes(path);

interface Measure {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  unexpected: number;
  peakRssMb?: number;
  /** CPU per answer, in microseconds, of the server's process (all threads) and of Redis. */
  serverCpuUs?: number;
  redisCpuUs?: number;
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

async function freePort(): Promise<number> {
  const server = createServer().listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, HOST, () => server.close(() => resolve(true)));
  });

function start(
  name: string,
  args: string[],
  env: Record<string, string>,
  command = process.execPath,
) {
  const child = spawn(command, args, {
    // A directory of its own: the service must not pick up a developer's .env.
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-2000)));
  children.push(child);
  return { child, name, pid: child.pid as number, stderr: () => stderr };
}
type Started = ReturnType<typeof start>;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = once(child, 'exit');
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function stopAll(): Promise<void> {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
  await Promise.allSettled(children.splice(0).map(stopChild));
}

async function until(what: Started, check: () => Promise<boolean>) {
  for (let i = 0; i < 300; i++) {
    if (what.child.exitCode !== null) throw new Error(`${what.name} exited: ${what.stderr()}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what.name} did not come up: ${what.stderr()}`);
}

interface Store {
  kind: string;
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

async function cpuMicrosOf(node: Redis): Promise<number> {
  const info = await node.info('cpu');
  const seconds = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

async function startStore(kind: string): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-bench-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  if (kind === 'single') {
    const port = await freePort();
    await redisServer(dir, port);
    const client = new Redis({ host: HOST, port });
    cleanups.unshift(async () => client.disconnect());
    return {
      kind: 'one Redis',
      env: { REDIS_URL: `redis://${HOST}:${port}` },
      client,
      usedMemory: () => usedMemoryOf(client),
      cpuMicros: () => cpuMicrosOf(client),
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
  await run('redis-cli', [
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
  cleanups.unshift(async () => {
    client.disconnect();
    masters.forEach((m) => m.disconnect());
  });
  return {
    kind: 'Redis Cluster, 3 masters',
    env: { REDIS_CLUSTER_NODES: ports.map((port) => `${HOST}:${port}`).join(',') },
    client,
    usedMemory: async () =>
      (await Promise.all(masters.map(usedMemoryOf))).reduce((sum, bytes) => sum + bytes, 0),
    cpuMicros: async () =>
      (await Promise.all(masters.map(cpuMicrosOf))).reduce((sum, micros) => sum + micros, 0),
  };
}

/** Production settings; limits per number and per IP raised only so that no path is refused. */
async function startProduct(
  name: string,
  store: Store,
  env: Record<string, string>,
  profile = false,
) {
  const port = await freePort();
  const profileFlags = [
    '--cpu-prof',
    `--cpu-prof-dir=${join(RESULTS, 'profiles', name)}`,
    // Leave at once on SIGTERM: the profile is written on exit and must end with the measured path.
    '--import=data:text/javascript,process.once("SIGTERM",()=>process.exit(0))',
  ];
  const product = start(name, [...(profile ? profileFlags : []), join(BENCH, 'product.js')], {
    NODE_ENV: 'production',
    OTP_ALLOWED_COUNTRIES: '*',
    OTP_GLOBAL_SEND_LIMITS: 'unlimited',
    PORT: String(port),
    LOG_LEVEL: flags['log-level'] as string,
    ...store.env,
    REDIS_KEY_PREFIX: `bench-${name}:`,
    OTP_HASH_SECRET: SECRET,
    OTP_TOKEN_PRIVATE_KEY: TOKEN_KEY,
    OTP_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    OTP_LOCKOUT_THRESHOLD: '1000000',
    // Never called: the bench entry replaces the provider under the delivery wrapper.
    SMS_PROVIDER: 'plivo',
    PLIVO_AUTH_ID: 'MABENCHBENCHBENCHBE',
    PLIVO_AUTH_TOKEN: 'bench-token',
    PLIVO_SENDER: '+14155550100',
    PLIVO_BASE_URL: `http://${HOST}:9`,
    RATE_LIMIT_REQUEST_LIMIT: '1000000000',
    RATE_LIMIT_VERIFY_LIMIT: '1000000000',
    ...env,
  });
  const url = `http://${HOST}:${port}`;
  await until(product, async () => (await fetch(`${url}/health/ready`)).status === 200);
  return { url, started: product, name };
}
type Server = Awaited<ReturnType<typeof startProduct>>;

async function startPeer(store: Store): Promise<Server> {
  const port = await freePort();
  const peer = start('peer', [join(BENCH, 'peer.js')], { PORT: String(port), ...store.env });
  const url = `http://${HOST}:${port}`;
  await until(peer, async () => Boolean(await fetch(`${url}/api/otp/verify`, { method: 'POST' })));
  return { url, started: peer, name: 'peer' };
}

async function startCeiling(): Promise<Server> {
  const port = await freePort();
  const ceiling = start('ceiling', [join(BENCH, 'ceiling.js')], { PORT: String(port) });
  const url = `http://${HOST}:${port}`;
  await until(ceiling, async () => Boolean(await fetch(`${url}/api/ceiling`, { method: 'POST' })));
  return { url, started: ceiling, name: 'ceiling' };
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Valid UK mobile numbers, never the same twice in a run, spread over 24,000 prefixes of 8 digits
 * (`44` and 6 national digits) so that no prefix reaches the fraud guard's minimum of sends.
 */
const LEADS = ['740', '741', '742', '743', '744', '746', '747', '748', '749'].concat(
  ['771', '772', '773', '774', '775', '776', '777', '790', '792', '793', '794', '795', '796'],
  ['797', '798', '799'],
);
let sequence = 0;
const nextNumber = (): string => {
  const n = sequence++;
  const lead = LEADS[n % LEADS.length];
  const rest = Math.floor(n / LEADS.length);
  const prefixPart = String(rest % 1000).padStart(3, '0');
  return `+44${lead}${prefixPart}${String(Math.floor(rest / 1000)).padStart(4, '0')}`;
};

/** CPU time of a process, all its threads, in microseconds (`/proc/<pid>/stat` utime + stime). */
async function processCpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / (await clockTicks);
}
const clockTicks = run('getconf', ['CLK_TCK']).then(({ stdout }) => Number(stdout) || 100);

/** The server under load: its CPU is read around the run, and its memory sampled if `rss`. */
interface Measured {
  pid: number;
  store: Store;
  rss?: boolean;
}

async function measure(
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
  const cpuBefore = server && (await cpuOf(server));
  const instance = autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }],
  });
  const stop = async () => instance.stop();
  cleanups.push(stop);
  const result: Result = await instance;
  cleanups.splice(cleanups.indexOf(stop), 1);
  clearInterval(sampler);
  const cpuAfter = server && (await cpuOf(server));
  const matching = result.statusCodeStats[String(expected)]?.count ?? 0;
  const perAnswer = (before: number, after: number) =>
    Math.round((after - before) / Math.max(result.requests.total, 1));
  return {
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    unexpected: result.requests.total - Number(matching) + result.errors + result.timeouts,
    ...(sampler ? { peakRssMb: Math.round(peakRssMb) } : {}),
    ...(cpuBefore &&
      cpuAfter && {
        serverCpuUs: perAnswer(cpuBefore.server, cpuAfter.server),
        redisCpuUs: perAnswer(cpuBefore.redis, cpuAfter.redis),
      }),
  };
}

async function cpuOf(server: Measured): Promise<{ server: number; redis: number }> {
  const [serverMicros, redisMicros] = await Promise.all([
    processCpuMicros(server.pid),
    server.store.cpuMicros(),
  ]);
  return { server: serverMicros, redis: redisMicros };
}

interface Pending {
  phoneNumber: string;
  code: string;
}

/** `count` fresh numbers with codes, each stored by `store`, 2,000 in flight at a time. */
async function pendingCodes(
  count: number,
  store: (pending: Pending) => Promise<unknown>,
): Promise<Pending[]> {
  const codes = Array.from({ length: count }, (_, i) => ({
    phoneNumber: nextNumber(),
    code: String(100_000 + (i % 800_000)),
  }));
  for (let i = 0; i < codes.length; i += 2000) {
    await Promise.all(codes.slice(i, i + 2000).map(store));
  }
  return codes;
}

/** Pending codes for the service's verify paths, through its own store code and limits. */
async function issueProductCodes(store: Store, prefix: string, count: number): Promise<Pending[]> {
  const otpStore = new RedisOtpStore(store.client, prefix);
  const policy = {
    ttlMs: 300_000,
    maxAttempts: MAX_ATTEMPTS,
    cooldownMs: 30_000,
    maxSends: 5,
    sendWindowMs: 3_600_000,
    lockoutThreshold: 1_000_000,
  };
  return pendingCodes(count, ({ phoneNumber, code }) =>
    otpStore.issue(phoneNumber, hashOtpCode(SECRET, phoneNumber, code), policy),
  );
}

/** Pending codes for the peer's verify paths, as its request handler writes them. */
async function issuePeerCodes(store: Store, count: number): Promise<Pending[]> {
  return pendingCodes(count, ({ phoneNumber, code }) =>
    store.client.set(`otp:${phoneNumber}`, code, 'EX', 300),
  );
}

/** Redis `used_memory` growth per pending code, issued through the service's store at its defaults. */
async function memoryPerCode(store: Store): Promise<number> {
  const otpStore = new RedisOtpStore(store.client, OTP_DEFAULTS.keyPrefix);
  const policy = {
    ttlMs: 300_000,
    maxAttempts: 5,
    cooldownMs: 30_000,
    maxSends: 5,
    sendWindowMs: 3_600_000,
    lockoutThreshold: 10,
  };
  // One code first, so that the scripts and the connection's buffers are not counted.
  await otpStore.issue(nextNumber(), hashOtpCode(SECRET, 'warm-up', '123456'), policy);
  const before = await store.usedMemory();
  const numbers = Array.from({ length: MEMORY_CODES }, nextNumber);
  for (let i = 0; i < numbers.length; i += 500) {
    await Promise.all(
      numbers
        .slice(i, i + 500)
        .map((n) => otpStore.issue(n, hashOtpCode(SECRET, n, '123456'), policy)),
    );
  }
  return Math.round(((await store.usedMemory()) - before) / MEMORY_CODES);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Which of the features that are still arriving this build of the service has, by default. */
async function productFeatures(product: Server, store: Store): Promise<Record<string, boolean>> {
  const [pending] = await issueProductCodes(store, `bench-${product.name}:`, 1);
  const verified = await fetch(`${product.url}/api/otp/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(pending),
  });
  const metrics = await (await fetch(`${product.url}/metrics`)).text();
  return {
    verificationToken: 'verificationToken' in ((await verified.json()) as object),
    fraudGuard: metrics.includes('otp_fraud_guard'),
  };
}

type Rates = Partial<Record<PathName, Measure>>;

async function benchStore(kind: string) {
  const store = await startStore(kind);
  const memoryBytesPerCode = await memoryPerCode(store);
  const product = await startProduct('product', store, {});
  const throttled = await startProduct('throttled', store, { RATE_LIMIT_REQUEST_LIMIT: '1' });
  const peer = await startPeer(store);
  const ceiling = await startCeiling();
  const features = await productFeatures(product, store);
  console.log(
    `\n${store.kind}: verification token ${features.verificationToken ? 'on' : 'not in this build'}, ` +
      `fraud guard ${features.fraudGuard ? 'on' : 'not in this build'} (the service's defaults)`,
  );

  const measured = (server: Server, rss = false): Measured => ({
    pid: server.started.pid,
    store,
    rss,
  });
  let bestVerify = { product: 0, peer: 0 };
  const sides: Record<Side, (r: Rates) => Promise<void>> = {
    product: async (r) => {
      const json = (path: string) => `${product.url}/api/otp/${path}`;
      if (wanted('request')) {
        r.request = await measure(
          json('request'),
          () => ({ phoneNumber: nextNumber() }),
          202,
          measured(product, true),
        );
      }
      if (wanted('verify-wrong') || wanted('verify-right')) {
        await verifyPaths(r, 'product', json('verify'), measured(product, true));
      }
      if (wanted('refused')) {
        r.refused = await measure(
          `${throttled.url}/api/otp/request`,
          () => ({ phoneNumber: nextNumber() }),
          429,
          measured(throttled, true),
        );
      }
    },
    peer: async (r) => {
      if (wanted('request')) {
        r.request = await measure(
          `${peer.url}/api/otp/request`,
          () => ({ phoneNumber: nextNumber() }),
          202,
          measured(peer),
        );
      }
      if (wanted('verify-wrong') || wanted('verify-right') || wanted('refused')) {
        await verifyPaths(r, 'peer', `${peer.url}/api/otp/verify`, measured(peer));
      }
    },
    ceiling: async (r) => {
      r.request = await measure(
        `${ceiling.url}/api/ceiling`,
        () => ({ phoneNumber: nextNumber(), code: '123456' }),
        200,
        measured(ceiling),
      );
    },
  };

  /** Wrong codes first (at most a few per code), then each code once with the right code. */
  async function verifyPaths(r: Rates, side: 'product' | 'peer', url: string, server: Measured) {
    const guess = Math.max(bestVerify[side], (r.request?.reqPerSec ?? 0) * 2, 3000);
    const count = Math.ceil(guess * 1.5 * DURATION);
    const pending =
      side === 'product'
        ? await issueProductCodes(store, `bench-${product.name}:`, count)
        : await issuePeerCodes(store, count);
    let wrong = 0;
    r['verify-wrong'] = await measure(
      url,
      () => {
        const { phoneNumber, code } = pending[wrong++ % pending.length];
        return { phoneNumber, code: String(Number(code) + 1) };
      },
      400,
      server,
    );
    let right = 0;
    if (wanted('verify-right')) {
      r['verify-right'] = await measure(url, () => pending[right++ % pending.length], 200, server);
    }
    bestVerify[side] = Math.max(
      bestVerify[side],
      r['verify-wrong'].reqPerSec,
      r['verify-right']?.reqPerSec ?? 0,
    );
  }

  const rounds: Record<Side, Rates>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order: Side[] =
      round % 2 === 0 ? ['product', 'peer', 'ceiling'] : ['ceiling', 'peer', 'product'];
    const m: Record<Side, Rates> = { product: {}, peer: {}, ceiling: {} };
    for (const side of order) await sides[side](m[side]);
    rounds.push(m);
    const rate = (x?: Measure) => (x ? String(Math.round(x.reqPerSec)) : '-');
    console.log(
      `round ${round + 1} (${order.join(', ')}): ` +
        TARGETS.filter((t) => wanted(t.path))
          .map((t) => `${t.path} ${rate(m.product[t.path])}/${rate(m.peer[t.versus])}`)
          .join(', ') +
        `, ceiling ${rate(m.ceiling.request)} req/s (product/peer)`,
    );
  }
  bestVerify = { product: 0, peer: 0 };

  const of = (side: Side, path: PathName, pick: (m: Measure) => number = (m) => m.reqPerSec) =>
    median(
      rounds
        .map((m) => m[side][path])
        .filter((x): x is Measure => !!x)
        .map(pick),
    );
  const ceilingRate = of('ceiling', 'request');
  const rows = TARGETS.filter((t) => wanted(t.path)).map((t) => {
    const productRate = of('product', t.path);
    const peerRate = of('peer', t.versus);
    const ratio = productRate / peerRate;
    const unexpected = rounds.reduce((sum, m) => sum + (m.product[t.path]?.unexpected ?? 0), 0);
    const peerUnexpected = rounds.reduce((sum, m) => sum + (m.peer[t.versus]?.unexpected ?? 0), 0);
    return {
      path: t.path,
      status: t.expected,
      product: Math.round(productRate),
      peer: Math.round(peerRate),
      peerPath: t.versus,
      ceiling: Math.round(ceilingRate),
      productPerPeer: Math.round(ratio * 100) / 100,
      productPerCeiling: Math.round((productRate / ceilingRate) * 100) / 100,
      productP99Ms: of('product', t.path, (m) => m.p99),
      target: t.target,
      pass: ratio >= t.target,
      unexpected,
      peerUnexpected,
      peakRssMb: Math.max(...rounds.map((m) => m.product[t.path]?.peakRssMb ?? 0)),
      cpuUs: {
        product: of('product', t.path, (m) => m.serverCpuUs ?? NaN),
        productRedis: of('product', t.path, (m) => m.redisCpuUs ?? NaN),
        peer: of('peer', t.versus, (m) => m.serverCpuUs ?? NaN),
        peerRedis: of('peer', t.versus, (m) => m.redisCpuUs ?? NaN),
      },
    };
  });

  console.log(
    `\n${store.kind}: median of ${ROUNDS} rounds, ${DURATION} s per path, ${CONNECTIONS} connections`,
  );
  console.log(
    'path (status)        product   peer  ceiling  product÷peer  product÷ceiling  target',
  );
  for (const r of rows) {
    const versus = r.peerPath === r.path ? '' : ` (peer ${r.peerPath})`;
    console.log(
      `${`${r.path} (${r.status})`.padEnd(19)} ${String(r.product).padStart(8)} ${String(r.peer).padStart(6)} ` +
        `${String(r.ceiling).padStart(8)}  ${r.productPerPeer.toFixed(2).padStart(12)}  ` +
        `${r.productPerCeiling.toFixed(2).padStart(15)}  ≥${r.target.toFixed(1)} ${r.pass ? 'PASS' : 'MISS'}${versus}`,
    );
  }
  const ceilingCpu = of('ceiling', 'request', (m) => m.serverCpuUs ?? NaN);
  console.log(
    `CPU per answer, µs (median), service + its Redis vs peer + its Redis; the bare route ${ceilingCpu} + 0:`,
  );
  for (const r of rows) {
    const { product: p, productRedis: pr, peer: q, peerRedis: qr } = r.cpuUs;
    console.log(`  ${r.path.padEnd(13)} ${p} + ${pr} vs ${q} + ${qr}`);
  }
  console.log(
    `Redis per pending code: ${memoryBytesPerCode} bytes (used_memory growth over ` +
      `${MEMORY_CODES} codes; target ≤ ${MEMORY_TARGET_BYTES}: ` +
      `${memoryBytesPerCode <= MEMORY_TARGET_BYTES ? 'PASS' : 'MISS'})`,
  );

  const profiles: Record<string, ProfileSummary> = {};
  if (flags.profile) {
    for (const path of ['request', 'verify-wrong', 'verify-right'] as PathName[]) {
      if (!wanted(path)) continue;
      const rate = rows.find((r) => r.path === path)?.product ?? 5000;
      profiles[path] = await profilePath(store, path, rate);
      printProfile(path, profiles[path]);
    }
  }
  await Promise.all([product, throttled, peer, ceiling].map((s) => stopChild(s.started.child)));
  await stopAll();
  return { store: store.kind, features, rows, memoryBytesPerCode, rounds, profiles };
}

/** One fresh service process under `--cpu-prof`, one path, then stopped: its profile is that path. */
async function profilePath(store: Store, path: PathName, rate: number): Promise<ProfileSummary> {
  const name = `profile-${path}`;
  await rm(join(RESULTS, 'profiles', name), { recursive: true, force: true });
  const product = await startProduct(name, store, {}, true);
  const url = `${product.url}/api/otp/${path === 'request' ? 'request' : 'verify'}`;
  if (path === 'request') {
    await measure(url, () => ({ phoneNumber: nextNumber() }), 202);
  } else {
    // Each code takes one right guess, or a few wrong ones (of MAX_ATTEMPTS).
    const perCode = path === 'verify-right' ? 1 : MAX_ATTEMPTS / 4;
    const count = Math.ceil((Math.max(rate, 3000) * 2 * DURATION) / perCode);
    const pending = await issueProductCodes(store, `bench-${name}:`, count);
    let i = 0;
    await measure(
      url,
      () => {
        const { phoneNumber, code } = pending[i++ % pending.length];
        return { phoneNumber, code: path === 'verify-right' ? code : String(Number(code) + 1) };
      },
      path === 'verify-right' ? 200 : 400,
    );
  }
  await stopChild(product.started.child);
  const dir = join(RESULTS, 'profiles', name);
  const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  return summariseProfile(join(dir, file), DURATION * 1000);
}

function printProfile(path: string, summary: ProfileSummary) {
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
    (r) => r.unexpected + r.peerUnexpected > 0.01 * r.product * DURATION * ROUNDS,
  );
  if (broken.length > 0) {
    throw new Error(`unexpected answers on ${broken.map((r) => r.path).join(', ')}`);
  }
  if (flags.strict && rows.some((r) => !r.pass)) process.exitCode = 2;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`${signal}: stopping everything the bench started`);
    void stopAll().finally(() => process.exit(130));
  });
}
// Last resort if the bench itself dies: no child may outlive it.
process.once('exit', () =>
  children.forEach((child) => child.exitCode === null && child.kill('SIGKILL')),
);

main()
  .catch((error: Error) => {
    if (!interrupted) console.error(`bench failed: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());

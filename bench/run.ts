/**
 * `npm run bench`: how many requests and verifications one instance of the built service serves
 * here, next to a bare Nest endpoint measured in the same run with the same client settings, and
 * how much Redis memory a pending code takes. Starts its own Redis, fake Plivo server, service
 * and ceiling app on free loopback ports, and stops every one of them, also on failure or Ctrl-C.
 *
 * BENCH_DURATION (seconds per path, default 8), BENCH_ROUNDS (default 3) and BENCH_CONNECTIONS
 * (default 20) change the client settings; BENCH_PATHS=request,refused measures only those (and
 * the ceiling); BENCH_LOG_LEVEL (default info) is the service's LOG_LEVEL; BENCH_PROFILE=1
 * writes a CPU profile of each service process to bench/results/profiles.
 */
import autocannon, { type Result } from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { hashOtpCode } from '../packages/nestjs-otp-verify/src/code/otp-code.js';
import { RedisOtpStore } from '../packages/nestjs-otp-verify/src/store/redis-otp.store.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const MEMORY_CODES = 10_000;
const MAX_ATTEMPTS = 20;
const SECRET = randomBytes(32).toString('hex');
const ONLY = process.env.BENCH_PATHS?.split(',');
const HOST = '127.0.0.1';
const PROFILE = process.env.BENCH_PROFILE === '1';
// Nest re-raises SIGTERM after closing, which would end the process before the profile is written.
const PROFILE_FLAGS = [
  '--cpu-prof',
  `--cpu-prof-dir=${join(ROOT, 'bench/results/profiles')}`,
  '--import=data:text/javascript,process.once("SIGTERM",()=>process.exit(0))',
];

interface Path {
  name: string;
  expected: number;
  target?: number;
}
const PATHS: Path[] = [
  { name: 'ceiling', expected: 200 },
  { name: 'request', expected: 202, target: 0.5 },
  { name: 'verify-wrong', expected: 400, target: 0.6 },
  { name: 'verify-right', expected: 200, target: 0.6 },
  { name: 'refused', expected: 429, target: 0.7 },
];

interface Measure {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  unexpected: number;
  peakRssMb?: number;
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

function start(name: string, command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, {
    // A directory of its own: the service must not pick up a developer's .env.
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-2000)));
  children.push(child);
  return { child, name, stderr: () => stderr };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = once(child, 'exit');
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function stopAll(): Promise<void> {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
  await Promise.allSettled(children.splice(0).map(stopChild));
}

async function until(what: ReturnType<typeof start>, check: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (what.child.exitCode !== null) {
      throw new Error(`${what.name} exited: ${what.stderr()}`);
    }
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what.name} did not come up: ${what.stderr()}`);
}

async function startRedis(): Promise<{ port: number; redis: Redis }> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'otp-bench-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const server = start(
    'redis-server',
    'redis-server',
    [
      ...['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'],
      ...['--dir', dir],
    ],
    {},
  );
  const redis = new Redis({ host: HOST, port, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  await until(server, async () => {
    if (redis.status !== 'ready') await redis.connect();
    return (await redis.ping()) === 'PONG';
  });
  cleanups.push(async () => redis.disconnect());
  return { port, redis };
}

/** Plivo's Message API as the SDK speaks it: every message is accepted. */
async function startFakePlivo(): Promise<string> {
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"api_id":"bench","message":"message(s) queued","message_uuid":["bench"]}');
    });
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
  });
  return `http://${HOST}:${(server.address() as { port: number }).port}`;
}

async function startService(
  name: string,
  redisPort: number,
  plivoUrl: string,
  env: Record<string, string>,
) {
  const port = await freePort();
  const args = [...(PROFILE ? PROFILE_FLAGS : []), join(ROOT, 'dist/main.js')];
  const service = start(name, process.execPath, args, {
    NODE_ENV: 'production',
    PORT: String(port),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    REDIS_URL: `redis://${HOST}:${redisPort}`,
    REDIS_KEY_PREFIX: `bench-${name}:`,
    OTP_HASH_SECRET: SECRET,
    OTP_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    OTP_RESEND_COOLDOWN_SECONDS: '0',
    OTP_MAX_SENDS_PER_WINDOW: '1000000',
    OTP_LOCKOUT_THRESHOLD: '1000000',
    SMS_PROVIDER: 'plivo',
    PLIVO_AUTH_ID: 'MABENCHBENCHBENCHBE',
    PLIVO_AUTH_TOKEN: 'bench-token',
    PLIVO_SENDER: '+14155550100',
    PLIVO_BASE_URL: plivoUrl,
    RATE_LIMIT_REQUEST_LIMIT: '1000000000',
    RATE_LIMIT_VERIFY_LIMIT: '1000000000',
    ...env,
  });
  const url = `http://${HOST}:${port}`;
  await until(service, async () => (await fetch(`${url}/health/ready`)).status === 200);
  return { url, pid: service.child.pid as number };
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

let sequence = 0;
/** Distinct, valid UK mobile numbers: no per-number limit is ever reached. */
const nextNumber = (): string => `+4474${String(sequence++).padStart(8, '0')}`;

async function measure(
  url: string,
  body: () => object,
  expected: number,
  pid?: number,
): Promise<Measure> {
  let peakRssMb = 0;
  const sampler = pid
    ? setInterval(async () => (peakRssMb = Math.max(peakRssMb, await rssMb(pid))), 250)
    : undefined;
  const run = autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }],
  });
  cleanups.push(async () => run.stop());
  const result: Result = await run;
  clearInterval(sampler);
  const matching = result.statusCodeStats[String(expected)]?.count ?? 0;
  return {
    // Not the per-second average: a run that ends within a second (out of codes) has no buckets.
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    unexpected: result.requests.total - Number(matching) + result.errors + result.timeouts,
    ...(pid ? { peakRssMb: Math.round(peakRssMb) } : {}),
  };
}

/** The service's own limits, so that codes issued by the bench behave as its own. */
const SERVICE_POLICY = {
  ttlMs: 300_000,
  maxAttempts: MAX_ATTEMPTS,
  cooldownMs: 0,
  maxSends: 1_000_000,
  sendWindowMs: 3_600_000,
  lockoutThreshold: 1_000_000,
};

async function issueCodes(store: RedisOtpStore, count: number) {
  const codes = Array.from({ length: count }, (_, i) => ({
    phoneNumber: nextNumber(),
    code: String(100_000 + (i % 800_000)),
  }));
  for (let i = 0; i < codes.length; i += 1000) {
    await Promise.all(
      codes
        .slice(i, i + 1000)
        .map(({ phoneNumber, code }) =>
          store.issue(phoneNumber, hashOtpCode(SECRET, phoneNumber, code), SERVICE_POLICY),
        ),
    );
  }
  return codes;
}

/** Redis bytes per pending code: every key one request writes, at the default limits. */
async function memoryPerCode(redis: Redis): Promise<{ keysPerCode: number; bytesPerCode: number }> {
  const prefix = 'bench-memory:';
  const store = new RedisOtpStore(redis, prefix);
  const policy = {
    ttlMs: 300_000,
    maxAttempts: 5,
    cooldownMs: 30_000,
    maxSends: 5,
    sendWindowMs: 3_600_000,
    lockoutThreshold: 10,
  };
  const numbers = Array.from({ length: MEMORY_CODES }, nextNumber);
  for (let i = 0; i < numbers.length; i += 500) {
    await Promise.all(
      numbers
        .slice(i, i + 500)
        .map((n) => store.issue(n, hashOtpCode('bench-secret', n, '123456'), policy)),
    );
  }
  let bytes = 0;
  let keys = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    const sizes = await Promise.all(found.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0)));
    bytes += sizes.reduce<number>((sum, size) => sum + Number(size ?? 0), 0);
    keys += found.length;
    cursor = next;
  } while (cursor !== '0');
  return { keysPerCode: keys / MEMORY_CODES, bytesPerCode: Math.round(bytes / MEMORY_CODES) };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function main(): Promise<void> {
  const began = Date.now();
  const { port: redisPort, redis } = await startRedis();
  const plivoUrl = await startFakePlivo();
  const service = await startService('service', redisPort, plivoUrl, {});
  const throttled = await startService('throttled', redisPort, plivoUrl, {
    RATE_LIMIT_REQUEST_LIMIT: '1',
  });
  const ceilingPort = await freePort();
  const ceiling = start('ceiling', process.execPath, [join(ROOT, 'dist/bench/bench/ceiling.js')], {
    PORT: String(ceilingPort),
  });
  const ceilingUrl = `http://${HOST}:${ceilingPort}/api/ceiling`;
  await until(ceiling, async () => Boolean(await fetch(ceilingUrl)));

  const serviceStore = new RedisOtpStore(redis, 'bench-service:');
  const wanted = (name: string) => !ONLY || ONLY.includes(name);
  const paths = PATHS.filter((p) => p.name === 'ceiling' || wanted(p.name));
  const rounds: Record<string, Measure>[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const m: Record<string, Measure> = {};
    m.ceiling = await measure(
      ceilingUrl,
      () => ({ phoneNumber: nextNumber(), code: '123456' }),
      200,
    );
    if (wanted('request')) {
      m.request = await measure(
        `${service.url}/api/otp/request`,
        () => ({ phoneNumber: nextNumber() }),
        202,
        service.pid,
      );
    }
    // Verifications need pending codes: as many as the ceiling's pace could use, issued as
    // the service would (same key prefix, same HMAC secret), so no path waits for another.
    const pending = await issueCodes(serviceStore, Math.ceil(m.ceiling.reqPerSec * DURATION * 1.2));
    let wrong = 0;
    if (wanted('verify-wrong')) {
      m['verify-wrong'] = await measure(
        `${service.url}/api/otp/verify`,
        () => {
          const { phoneNumber, code } = pending[wrong++ % pending.length];
          return { phoneNumber, code: String(Number(code) + 1) };
        },
        400,
        service.pid,
      );
    }
    let right = 0;
    if (wanted('verify-right')) {
      m['verify-right'] = await measure(
        `${service.url}/api/otp/verify`,
        () => pending[right++ % pending.length],
        200,
        service.pid,
      );
    }
    if (wanted('refused')) {
      m.refused = await measure(
        `${throttled.url}/api/otp/request`,
        () => ({ phoneNumber: nextNumber() }),
        429,
        throttled.pid,
      );
    }
    rounds.push(m);
    console.log(
      `round ${round}: ` +
        paths.map((p) => `${p.name} ${Math.round(m[p.name].reqPerSec)} req/s`).join(', '),
    );
  }

  const memory = await memoryPerCode(redis);
  const medians = Object.fromEntries(
    paths.map((p) => {
      const of = (pick: (m: Measure) => number) => median(rounds.map((m) => pick(m[p.name])));
      return [
        p.name,
        {
          reqPerSec: Math.round(of((m) => m.reqPerSec)),
          p50: of((m) => m.p50),
          p99: of((m) => m.p99),
        },
      ];
    }),
  );
  const ceilingRate = medians.ceiling.reqPerSec;
  const rows = paths.map((p) => {
    const ratio = medians[p.name].reqPerSec / ceilingRate;
    const unexpected = rounds.reduce((sum, m) => sum + m[p.name].unexpected, 0);
    const peakRssMb = Math.max(...rounds.map((m) => m[p.name].peakRssMb ?? 0));
    return {
      path: p.name,
      expected: p.expected,
      ...medians[p.name],
      ratio,
      target: p.target,
      unexpected,
      peakRssMb,
    };
  });

  console.log(
    `\nmedian of ${ROUNDS} rounds, ${DURATION} s per path, ${CONNECTIONS} connections, ` +
      `${availableParallelism()} CPUs, Node ${process.version}`,
  );
  console.log('path           status   req/s   p50 ms  p99 ms  ratio  target  service RSS');
  for (const r of rows) {
    const verdict = r.target === undefined ? '' : r.ratio >= r.target ? 'met' : 'MISSED';
    console.log(
      `${r.path.padEnd(14)} ${String(r.expected).padEnd(6)} ${String(r.reqPerSec).padStart(7)} ` +
        `${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)}  ${r.ratio.toFixed(2)}   ` +
        `${r.target === undefined ? '    ' : r.target.toFixed(2)} ${verdict.padEnd(6)} ` +
        `${r.peakRssMb ? `${r.peakRssMb} MB` : ''}`,
    );
  }
  console.log(
    `Redis per pending code: ${memory.bytesPerCode} bytes in ${memory.keysPerCode} keys ` +
      `(MEMORY USAGE over ${MEMORY_CODES} codes)`,
  );

  const cpu = /model name\s*:\s*(.+)/.exec(await readFile('/proc/cpuinfo', 'utf8'))?.[1];
  const results = join(ROOT, 'bench/results');
  await mkdir(results, { recursive: true });
  const file = join(results, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: availableParallelism(), cpu, node: process.version };
  const settings = { durationSeconds: DURATION, rounds: ROUNDS, connections: CONNECTIONS };
  await writeFile(file, JSON.stringify({ machine, settings, rows, rounds, memory }, null, 2));
  console.log(`written to ${file} in ${Math.round((Date.now() - began) / 1000)} s`);

  const broken = rows.filter((r) => r.unexpected > 0.01 * r.reqPerSec * DURATION * ROUNDS);
  if (broken.length > 0) {
    throw new Error(`unexpected answers on ${broken.map((r) => r.path).join(', ')}`);
  }
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

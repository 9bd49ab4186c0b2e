/**
 * The servers a run compares, each its own process on a free loopback port: the service
 * (bench/product.ts), the peers (bench/peer.ts, prescribed and bare) and the bare Nest route
 * (bench/ceiling.ts). Each is ready when it answers.
 */
import { join } from 'node:path';
import { issueProductCodes } from './codes.js';
import { freePort, start, type Started, until } from './processes.js';
import { BENCH, HOST, LOG_LEVEL, MAX_ATTEMPTS, RESULTS, SECRET, TOKEN_KEY } from './settings.js';
import type { Store } from './stores.js';

export interface Server {
  url: string;
  started: Started;
  name: string;
}

async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: (url: string) => Promise<boolean>,
): Promise<Server> {
  const port = await freePort();
  const started = start(name, args, { PORT: String(port), ...env });
  const url = `http://${HOST}:${port}`;
  await until(started, () => ready(url));
  return { url, started, name };
}

const answers = (path: string) => async (url: string) =>
  Boolean(await fetch(`${url}${path}`, { method: 'POST' }));

/** Production settings; limits per number and per IP raised only so that no path is refused. */
export function startProduct(
  name: string,
  store: Store,
  env: Record<string, string>,
  profile = false,
): Promise<Server> {
  const profileFlags = [
    '--cpu-prof',
    `--cpu-prof-dir=${join(RESULTS, 'profiles', name)}`,
    // Leave at once on SIGTERM: the profile is written on exit and must end with the measured path.
    '--import=data:text/javascript,process.once("SIGTERM",()=>process.exit(0))',
  ];
  return startServer(
    name,
    [...(profile ? profileFlags : []), join(BENCH, 'product.js')],
    {
      NODE_ENV: 'production',
      OTP_ALLOWED_COUNTRIES: '*',
      OTP_GLOBAL_SEND_LIMITS: 'unlimited',
      LOG_LEVEL,
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
    },
    async (url) => (await fetch(`${url}/health/ready`)).status === 200,
  );
}

/** The prescribed peer (`peer`) or the bare one (`bare`), on the same Redis as the service. */
export function startPeer(store: Store, design: 'prescribed' | 'bare'): Promise<Server> {
  const name = design === 'bare' ? 'bare' : 'peer';
  return startServer(
    name,
    [join(BENCH, 'peer.js')],
    { PEER_DESIGN: design, ...store.env },
    answers('/api/otp/verify'),
  );
}

export function startCeiling(): Promise<Server> {
  return startServer('ceiling', [join(BENCH, 'ceiling.js')], {}, answers('/api/ceiling'));
}

/** The least an answer can cost (bench/floor.ts), on the same Redis as the service. */
export function startFloor(store: Store): Promise<Server> {
  return startServer('floor', [join(BENCH, 'floor.js')], { ...store.env }, answers('/api/floor'));
}

/** Which of the features that are still arriving this build of the service has, by default. */
export async function productFeatures(
  product: Server,
  store: Store,
): Promise<Record<string, boolean>> {
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

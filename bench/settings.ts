/** The bench's flags (or their environment variables) and the settings every part of it reads. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `npm run bench -- [flags]   (each flag can also be set by its environment variable)

  --store=single|cluster|both  BENCH_STORE        one Redis, a 3-master Redis Cluster, or both (single)
  --rounds=N                   BENCH_ROUNDS       alternating rounds; the figures are their median (3)
  --duration=S                 BENCH_DURATION     seconds per path and side in each round (6)
  --connections=N              BENCH_CONNECTIONS  autocannon connections (50)
  --paths=request,refused      BENCH_PATHS        only these of request, verify-wrong, verify-right, refused (all)
  --log-level=info             BENCH_LOG_LEVEL    the service's LOG_LEVEL (info)
  --profile                    BENCH_PROFILE=1    a CPU profile of the service per path, summarised
  --strict                     BENCH_STRICT=1     exit 2 when a target is missed
  --help                                          this text`;

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
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where `tsc -p bench/tsconfig.json` writes the bench's servers. */
export const BENCH = join(ROOT, 'dist/bench/bench');
export const RESULTS = join(ROOT, 'bench/results');
export const HOST = '127.0.0.1';
export const ROUNDS = Number(flags.rounds);
export const DURATION = Number(flags.duration);
export const CONNECTIONS = Number(flags.connections);
export const STORES = flags.store === 'both' ? ['single', 'cluster'] : [flags.store as string];
export const LOG_LEVEL = flags['log-level'] as string;
export const PROFILE = flags.profile as boolean;
export const STRICT = flags.strict as boolean;
const ONLY = flags.paths?.split(',');
export const wanted = (path: string): boolean => !ONLY || ONLY.includes(path);

/** Pending codes take wrong guesses from verify-wrong before verify-right uses them. */
export const MAX_ATTEMPTS = 20;
/** The service's hash secret and token key for this run; the bench issues codes with the same. */
export const SECRET = randomBytes(32).toString('hex');
export const TOKEN_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

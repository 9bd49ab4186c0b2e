import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, parseEnv } from 'node:util';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadAppConfig } from '../src/config/app-config.js';
import { REDIS_URL, uniquePrefix } from './support/redis.js';
import { freePort, type Spawned, spawnService, waitFor } from './support/spawn-service.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const read = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

/** `.env.example` as Node's own `.env` reader (the one main.ts uses) sees it. */
const example = parseEnv(read('.env.example')) as Record<string, string>;

interface ComposeFile {
  services: Record<
    string,
    {
      command?: string[];
      env_file?: string | string[];
      environment?: Record<string, string>;
      depends_on?: Record<string, { condition: string }>;
    }
  >;
}
const compose = parseYaml(read('docker-compose.yml')) as ComposeFile;
const composeEnv = compose.services.otp.environment ?? {};

/** The PEM on one line, as `.env.example` tells an operator to write it. */
const oneLinePem = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()
  .replace(/\n/g, '\\n');

/** What an operator writes in each blank of `.env.example`, choosing Plivo. */
const OPERATOR_VALUES: Record<string, string> = {
  OTP_HASH_SECRET: randomBytes(32).toString('base64'),
  OTP_TOKEN_PRIVATE_KEY: oneLinePem,
  SMS_PROVIDER: 'plivo',
  PLIVO_AUTH_ID: 'MAPRODUCTIONRECIPE',
  PLIVO_AUTH_TOKEN: 'plivo-token-of-the-recipe',
  PLIVO_SENDER: '+15550001111',
  AWS_REGION: 'eu-west-1',
  OTP_ALLOWED_COUNTRIES: 'GB,IE',
  OTP_GLOBAL_SEND_LIMITS: 'hour=1000,day=10000',
};

/** `.env` after `cp .env.example .env` and filling every blank. */
const filledEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(example).map(([name, value]) => [name, value || OPERATOR_VALUES[name]]),
  );

/** The variables the start-up check names when production is started with nothing set. */
function variablesProductionRequires(): string[] {
  try {
    loadAppConfig({ NODE_ENV: 'production' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const named = (error as Error).message.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? [];
    return [...new Set(named)].filter((name) => name !== 'NODE_ENV').sort();
  }
  throw new Error('production started with nothing set');
}

describe('the production recipe: docker-compose.yml and .env.example', () => {
  const running: Spawned[] = [];
  afterAll(async () => Promise.all(running.map((service) => service.stop())));

  it('carries every setting the production start-up check asks for', () => {
    const required = variablesProductionRequires();
    expect(required).toEqual(
      expect.arrayContaining(['OTP_HASH_SECRET', 'OTP_TOKEN_PRIVATE_KEY', 'REDIS_URL']),
    );
    // A commented line carries an alternative (REDIS_CLUSTER_NODES) or an option with its default.
    const written = [...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map(
      (m) => m[1],
    );
    const carried = new Set([...written, ...Object.keys(composeEnv)]);
    expect(required.filter((name) => !carried.has(name))).toEqual([]);
    // Every blank is one an operator is told how to fill, and the test knows a value for.
    const blanks = Object.keys(example).filter((name) => example[name] === '');
    expect(blanks.filter((name) => !(name in OPERATOR_VALUES))).toEqual([]);
  });

  it('runs the service in production on a Redis that never evicts', () => {
    expect(composeEnv).toMatchObject({ NODE_ENV: 'production', REDIS_URL: 'redis://redis:6379' });
    expect(compose.services.otp.env_file).toEqual('.env');
    expect(compose.services.otp.depends_on?.redis.condition).toBe('service_healthy');
    expect(compose.services.redis.command?.join(' ')).toContain('--maxmemory-policy noeviction');
  });

  it("starts in production from .env.example's settings once its blanks are filled", async () => {
    const port = await freePort();
    const service = spawnService({
      ...filledEnv(),
      ...composeEnv,
      // Compose's Redis is reached by its service name; here it is the test Redis.
      REDIS_URL,
      REDIS_KEY_PREFIX: uniquePrefix('test:recipe'),
      PORT: String(port),
    });
    running.push(service);
    const crashed = service.exited.then((code) => {
      throw new Error(`the service exited (${code}):\n${service.stderr()}`);
    });
    crashed.catch(() => undefined);
    await Promise.race([waitFor(async () => service.stdout().includes('Listening on')), crashed]);
    expect(service.stdout()).toContain('store: redis; SMS provider: plivo');
    await request(`http://127.0.0.1:${port}`).get('/health/ready').expect(200);
  });

  it('resolves to the production environment: docker-compose config where it is installed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otp-compose-'));
    try {
      await copyFile(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
      const dotEnv = Object.entries(filledEnv()).map(([name, value]) => `${name}=${value}`);
      await writeFile(join(dir, '.env'), `${dotEnv.join('\n')}\n`);
      const installed = await run('docker-compose', ['version']).then(
        () => true,
        () => false,
      );
      // Without the binary, what Compose does with env_file and environment, from the YAML.
      const environment = installed
        ? (parseYaml((await run('docker-compose', ['config'], { cwd: dir })).stdout) as ComposeFile)
            .services.otp.environment
        : { ...parseEnv(dotEnv.join('\n')), ...composeEnv };
      expect(environment).toMatchObject({
        ...composeEnv,
        OTP_HASH_SECRET: OPERATOR_VALUES.OTP_HASH_SECRET,
        OTP_TOKEN_PRIVATE_KEY: oneLinePem,
        SMS_PROVIDER: 'plivo',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

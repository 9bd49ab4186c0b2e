import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { REDIS_URL, uniquePrefix } from './support/redis.js';
import { freePort, spawnProcess, waitFor, type Spawned } from './support/spawn-service.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const ATTW = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');

/** The version the repository's own lock file installed, so the host gets what CI tested. */
const lockedVersion = (name: string): string =>
  JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
const pinned = (...names: string[]): string[] =>
  names.map((name) => `${name}@${lockedVersion(name)}`);

/**
 * What a Nest 12 application has before it adds the module: `@nestjs/swagger` is a peer, so
 * its OpenAPI document reads the host's one copy.
 */
const HOST_BASE = ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs', '@nestjs/swagger'];

/** The standalone service's own dependencies, which no host app should receive. */
const SERVICE_ONLY = [
  'nestjs-pino',
  'pino-http',
  '@nestjs/terminus',
  'prom-client',
  '@nestjs/config',
];

type Platform = 'express' | 'fastify';
/** `commonjs`: a host compiled with `"module": "commonjs"`, whose `import`s become `require()`s. */
type ModuleKind = 'esm' | 'commonjs';

/**
 * A host app as its README tells a team to write it, using only the package's public API.
 * `process` and `console` are declared rather than taken from @types/node: the host installs
 * nothing extra. A CommonJS module has no top-level await, so its start-up is a function.
 */
const HOST_SOURCE = (platform: Platform, kind: ModuleKind) => `
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
${
  platform === 'fastify'
    ? "import { FastifyAdapter } from '@nestjs/platform-fastify';"
    : "import { ExpressAdapter } from '@nestjs/platform-express';"
}
import {
  OtpError,
  OtpErrorCode,
  OtpModule,
  OtpService,
  type OtpModuleOptions,
  type SmsProviderName,
} from 'nestjs-otp-verify';

declare const process: { env: Record<string, string | undefined> };
declare const console: { log(message: string): void };
const env = process.env;

const options: OtpModuleOptions = {
  hashSecret: 'host-app-secret-of-32-bytes-or-more',
  redis: { url: env.REDIS_URL as string, keyPrefix: env.KEY_PREFIX },
  sms: {
    provider: env.SMS_PROVIDER as SmsProviderName,
    plivo: { authId: 'MAHOSTAPP', authToken: 'host-token', sender: '+15550001111', baseUrl: env.FAKE_SMS },
    sns: { region: 'eu-west-1', endpoint: env.FAKE_SMS },
  },
};

@Controller('host')
class HostController {
  constructor(private readonly otp: OtpService) {}

  /** The host's own code calls the service and branches on the contract's codes. */
  @Get('check')
  async check(): Promise<{ code: OtpErrorCode | 'none' }> {
    try {
      await this.otp.verifyCode('+447400123499', '123456');
      return { code: 'none' };
    } catch (error) {
      if (error instanceof OtpError) return { code: error.code };
      throw error;
    }
  }
}

@Module({ imports: [OtpModule.forRoot(options)], controllers: [HostController] })
class HostModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(
    HostModule,
    new ${platform === 'fastify' ? 'FastifyAdapter' : 'ExpressAdapter'}(),
    { logger: ['error', 'warn'] },
  );
  // The module's routes are relative: the host's own prefix places them.
  app.setGlobalPrefix('v1');
  await app.listen(Number(env.PORT), '127.0.0.1');
  console.log('host listening');
}
${kind === 'esm' ? 'await bootstrap();' : 'void bootstrap();'}
`;

const TSCONFIG = (kind: ModuleKind) => ({
  compilerOptions: {
    ...(kind === 'esm'
      ? { module: 'nodenext', moduleResolution: 'nodenext' }
      : { module: 'commonjs' }),
    target: 'ES2023',
    lib: ['ES2023'],
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    types: [],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
});

interface HostApp {
  dir: string;
  start(env: Record<string, string>): Spawned;
}

async function createHostApp(
  root: string,
  platform: Platform,
  kind: ModuleKind,
  tarball: string,
  extra: string[],
): Promise<HostApp> {
  const name = `host-${platform}-${kind}`;
  const dir = join(root, name);
  await mkdir(join(dir, 'src'), { recursive: true });
  // Without "type", Node runs the compiled host as CommonJS.
  const type = kind === 'esm' ? { type: 'module' } : {};
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, ...type }));
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      ...pinned(...HOST_BASE, `@nestjs/platform-${platform}`, ...extra),
    ],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  );
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG(kind)));
  await writeFile(join(dir, 'src/main.ts'), HOST_SOURCE(platform, kind));
  // Type-checks the public API by package name, then compiles what the host runs.
  await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir }).catch(
    (error: { stdout?: string }) => {
      throw new Error(`tsc refused the ${name} host:\n${error.stdout}`);
    },
  );
  return {
    dir,
    start: (env) => spawnProcess(process.execPath, [join(dir, 'dist/main.js')], env),
  };
}

const installed = (host: HostApp, name: string): boolean =>
  existsSync(join(host.dir, 'node_modules', name, 'package.json'));

describe('nestjs-otp-verify installed from its packed tarball', () => {
  let work: string;
  let fake: FakeSmsServer;
  let express: HostApp;
  let fastify: HostApp;
  let commonjs: HostApp;
  let tarball: string;
  const running: Spawned[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'otp-host-'));
    fake = await FakeSmsServer.start();
    const { stdout } = await run(
      'npm',
      ['pack', '--workspace', 'nestjs-otp-verify', '--pack-destination', work, '--silent'],
      { cwd: ROOT },
    );
    tarball = join(work, stdout.trim().split('\n').at(-1) as string);
    [express, fastify, commonjs] = await Promise.all([
      createHostApp(work, 'express', 'esm', tarball, ['plivo']),
      createHostApp(work, 'fastify', 'esm', tarball, ['@aws-sdk/client-sns']),
      createHostApp(work, 'express', 'commonjs', tarball, ['plivo']),
    ]);
  }, 600_000);

  afterAll(async () => {
    await Promise.all(running.map((host) => host.stop()));
    await fake?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function boot(host: HostApp, provider: string): Promise<string> {
    const port = await freePort();
    const child = host.start({
      PORT: String(port),
      REDIS_URL: REDIS_URL,
      KEY_PREFIX: uniquePrefix(`test:host-pkg:${provider}`),
      SMS_PROVIDER: provider,
      FAKE_SMS: fake.url,
      AWS_ACCESS_KEY_ID: 'AKIDHOSTAPP',
      AWS_SECRET_ACCESS_KEY: 'host-secret',
    });
    running.push(child);
    const crashed = child.exited.then((code) => {
      throw new Error(`the host exited (${code}) before it listened:\n${child.stderr()}`);
    });
    crashed.catch(() => undefined); // once it listens, its later exit is no failure
    await Promise.race([
      waitFor(async () => child.stdout().includes('host listening'), 60_000),
      crashed,
    ]);
    return `http://127.0.0.1:${port}`;
  }

  async function requestAndVerify(base: string, phoneNumber: string): Promise<void> {
    const before = fake.received.length;
    const requested = await request(base).post('/v1/otp/request').send({ phoneNumber });
    expect(requested.status).toBe(202);
    expect(fake.received).toHaveLength(before + 1);
    const code = /\d{6}/.exec(fake.received.at(-1)?.text ?? '')?.[0] as string;
    const verified = await request(base).post('/v1/otp/verify').send({ phoneNumber, code });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ status: 'approved', phoneNumber });
    // The host serves the keys that sign the approval, as the standalone service does.
    const jwks = createRemoteJWKSet(new URL(`${base}/v1/.well-known/jwks.json`));
    const { payload } = await jwtVerify(verified.body.verificationToken, jwks, {
      issuer: 'otp-verify',
    });
    expect(payload.sub).toBe(phoneNumber);
  }

  it('ships its licence and links, and no source map of sources it does not ship', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/LICENSE');
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(express.dir, 'node_modules/nestjs-otp-verify/package.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: { url: expect.any(String) },
      homepage: expect.any(String),
      bugs: { url: expect.any(String) },
      peerDependencies: { '@nestjs/swagger': expect.any(String) },
    });
    expect(manifest.dependencies['@nestjs/swagger']).toBeUndefined();
    // The host's copy is the only one: no second @nestjs/swagger under the module.
    expect(existsSync(join(express.dir, 'node_modules/nestjs-otp-verify/node_modules'))).toBe(
      false,
    );
  });

  it('brings no Fastify, pino, terminus, prom-client or unchosen SDK into an Express host', () => {
    expect(installed(express, 'nestjs-otp-verify')).toBe(true);
    for (const name of [...SERVICE_ONLY, 'fastify', '@nestjs/platform-fastify', 'pino']) {
      expect([name, installed(express, name)]).toEqual([name, false]);
    }
    expect(installed(express, '@aws-sdk/client-sns')).toBe(false);
    expect(installed(fastify, 'plivo')).toBe(false);
    for (const name of [...SERVICE_ONLY, 'express', '@nestjs/platform-express']) {
      expect([name, installed(fastify, name)]).toEqual([name, false]);
    }
  });

  it('serves request and verify in an Express host sending through Plivo', async () => {
    const base = await boot(express, 'plivo');
    await requestAndVerify(base, '+447400123401');
    expect(fake.received.at(-1)?.provider).toBe('plivo');
    // The host's own code gets domain errors it can branch on.
    const checked = await request(base).get('/v1/host/check');
    expect(checked.body).toEqual({ code: 'otp_not_found' });
  });

  it('serves request and verify in a Fastify host sending through SNS', async () => {
    const base = await boot(fastify, 'sns');
    await requestAndVerify(base, '+447400123402');
    expect(fake.received.at(-1)?.provider).toBe('sns');
  });

  it('serves request and verify in a CommonJS host, which loads the package with require()', async () => {
    expect(readFileSync(join(commonjs.dir, 'dist/main.js'), 'utf8')).toContain(
      'require("nestjs-otp-verify")',
    );
    const base = await boot(commonjs, 'plivo');
    await requestAndVerify(base, '+447400123403');
    const checked = await request(base).get('/v1/host/check');
    expect(checked.body).toEqual({ code: 'otp_not_found' });
  });

  it('has types that resolve for ES module and CommonJS hosts (arethetypeswrong)', async () => {
    const { stdout } = await run(process.execPath, [ATTW, tarball, '--format', 'json']).catch(
      (error: { stdout: string }) => error,
    );
    const { problems } = JSON.parse(stdout) as { problems: Record<string, unknown[]> };
    expect(problems).toEqual({});
  });

  it('stops start-up naming the package to install when the chosen SDK is missing', async () => {
    const child = express.start({
      PORT: String(await freePort()),
      REDIS_URL: REDIS_URL,
      SMS_PROVIDER: 'sns',
      FAKE_SMS: fake.url,
    });
    running.push(child);
    expect(await child.exited).not.toBe(0);
    expect(child.stderr()).toContain('SMS provider sns needs the package @aws-sdk/client-sns');
    expect(child.stderr()).toContain('npm install @aws-sdk/client-sns');
  });
});

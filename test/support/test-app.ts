import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { SMS_PROVIDER } from 'nestjs-otp-verify';
import { deleteKeys, REDIS_URL, uniquePrefix } from './redis.js';
import { deleteClusterKeys, startRedisCluster } from './redis-cluster.js';
import { SmsOutbox } from './sms-outbox.js';

export interface TestApp {
  app: NestFastifyApplication;
  /** For supertest: `request(t.server)`. */
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  outbox: SmsOutbox;
  prefix: string;
  /** The standalone Redis; with `REDIS_CLUSTER_NODES` in `env` the app's keys are in the cluster. */
  redis: Redis;
  /**
   * Listens on 127.0.0.1, for clients that need a URL (a browser, a provider's callback); its base
   * URL. At `port` when given (one the settings named before the app started), else a free one.
   */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment variables on top of the test defaults (real Redis, own key prefix). */
  env?: Record<string, string>;
  /** The in-memory store instead of Redis (development). */
  memory?: boolean;
  /** Keep the configured SMS provider instead of the outbox (for delivery tests). */
  realSms?: boolean;
  /** Where the JSON log goes. nestjs-pino keeps the first app's logger for the whole test file. */
  logDestination?: DestinationStream;
}

/**
 * The whole standalone app, as main.ts builds it, on real Redis under a key prefix of its own.
 * Only the SMS network is replaced, by an outbox the test can read codes from.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const prefix = options.env?.REDIS_KEY_PREFIX ?? uniquePrefix('e2e');
  const clusterNodes = options.env?.REDIS_CLUSTER_NODES;
  const config = loadAppConfig({
    ...(clusterNodes || options.memory ? {} : { REDIS_URL }),
    REDIS_KEY_PREFIX: prefix,
    OTP_HASH_SECRET: 'test-secret-of-at-least-32-bytes!!',
    // A test that reads the log passes a destination; the others would only fill the run's output.
    LOG_LEVEL: options.logDestination ? 'warn' : 'silent',
    // Every test client is 127.0.0.1: only the tests about throttling set a real budget.
    RATE_LIMIT_REQUEST_LIMIT: '100000',
    RATE_LIMIT_VERIFY_LIMIT: '100000',
    ...options.env,
  });
  const outbox = new SmsOutbox();
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config, { logDestination: options.logDestination })],
  });
  if (!options.realSms) builder = builder.overrideProvider(SMS_PROVIDER).useValue(outbox);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(config),
    { ...NEST_APP_OPTIONS, logger: ['error', 'warn'] },
  );
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const redis = new Redis(REDIS_URL);
  return {
    app,
    server: app.getHttpServer(),
    outbox,
    prefix,
    redis,
    async listen(port = 0) {
      await app.listen(port, '127.0.0.1');
      return app.getUrl();
    },
    async close() {
      await app.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
      if (clusterNodes) await deleteClusterKeys(clusterNodes, prefix);
    },
  };
}

/** Two instances behind one load balancer: the same settings and the same store under one prefix. */
export async function startInstancePair(
  env: Record<string, string>,
  label = 'e2e-pair',
): Promise<[TestApp, TestApp]> {
  const shared = { ...env, REDIS_KEY_PREFIX: uniquePrefix(label) };
  return [await startTestApp({ env: shared }), await startTestApp({ env: shared })];
}

/** The stores a suite runs on when it must hold on each of them. */
export type StoreKind = 'one Redis' | 'a Redis Cluster' | 'the in-memory store';
export const STORE_KINDS: StoreKind[] = ['one Redis', 'a Redis Cluster', 'the in-memory store'];

/** An app on `kind`: a cluster of its own when asked for, stopped with the app. */
export async function startTestAppOn(
  kind: StoreKind,
  env: Record<string, string>,
  options: Omit<TestAppOptions, 'env' | 'memory'> = {},
): Promise<TestApp> {
  if (kind === 'the in-memory store') return startTestApp({ ...options, env, memory: true });
  if (kind === 'one Redis') return startTestApp({ ...options, env });
  const cluster = await startRedisCluster();
  const clusterEnv = { ...env, REDIS_CLUSTER_NODES: cluster.nodesEnv };
  const app = await startTestApp({ ...options, env: clusterEnv }).catch(async (error: unknown) => {
    await cluster.stop();
    throw error;
  });
  return {
    ...app,
    async close() {
      await app.close();
      await cluster.stop();
    },
  };
}

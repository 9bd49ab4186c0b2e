import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { type ClientAddressed, requestIdFor } from './common/logging.js';
import type { AppConfig } from './config/app-config.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

/** A request whose headers and body have not all arrived by then gets 408 and is closed. */
export const REQUEST_DEADLINE_MS = 10_000;

/**
 * Options of the Nest application on top of the adapter. Nest's own body parsers would add a
 * form-encoded one; Fastify's JSON parser (which refuses `__proto__` keys) is all the contract
 * needs, and a body of any other media type is then refused by Fastify before it is read.
 */
export const NEST_APP_OPTIONS: NestApplicationOptions = { bodyParser: false };

/**
 * Fastify 5 reads a numeric `trustProxy` as "trust no hop" (it cannot check the nearest peer),
 * so a hop count is handed over as proxy-addr's own hop rule: the nearest `hops` addresses of
 * the chain are proxies, the one behind them is the client.
 */
function fastifyTrustProxy(
  trustProxy: AppConfig['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy !== 'number') return trustProxy;
  return (_address, hop) => hop < trustProxy;
}

export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    requestIdHeader: false,
    genReqId: requestIdFor,
    // Node checks open requests against these deadlines every `connectionsCheckingInterval`
    // (30 s by default, which would let a slow client hold a socket up to 40 s).
    requestTimeout: REQUEST_DEADLINE_MS,
    http: { headersTimeout: REQUEST_DEADLINE_MS, connectionsCheckingInterval: 1_000 },
  });
  const fastify = adapter.getInstance();
  // Only JSON reaches a route: a text/plain body is what any web page can send cross-site.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', async (request, reply) => {
    // Echoed so a client (or the load balancer's log) can quote it when reporting a problem.
    reply.header('X-Request-Id', request.id);
    (request.raw as ClientAddressed).clientAddress = request.ip;
  });
  return adapter;
}

/**
 * Cross-origin calls from the listed web origins only, never `*`; with none listed no CORS
 * header is sent at all, so browsers on other origins cannot read an answer.
 */
function enableCors(app: INestApplication, origins: string[]): void {
  if (origins.length === 0) return;
  app.enableCors({
    origin: origins,
    methods: ['POST'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    optionsSuccessStatus: 204,
    maxAge: 600,
  });
}

/** App-wide set-up that is not a provider: CORS, the OpenAPI document and the JSON logger. */
export function configureApp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  enableCors(app, app.get(ConfigService).get<string[]>('corsOrigins') ?? []);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('OTP verification')
      .setDescription('Sends one-time codes by SMS and verifies them.')
      .setVersion('1')
      .addServer('/', 'This service')
      .addTag('otp', 'Send and verify one-time codes')
      .addTag('health', 'Liveness and readiness probes')
      .addTag('operations', 'Metrics for monitoring')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}

/** The standalone service from a validated config. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createFastifyAdapter(config),
    // Requests that arrive once SIGTERM came get 503 (the load balancer retries elsewhere);
    // those already in flight finish before Redis is closed.
    { ...NEST_APP_OPTIONS, bufferLogs: true, return503OnClosing: true },
  );
  configureApp(app);
  // process.exit(0) after the drain: a clean stop for the orchestrator, and pino flushed.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}

import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OTP_ERROR_MESSAGES, OtpApiKeys, OtpErrorCode } from 'nestjs-otp-verify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { parseCallbackForms } from './common/callback-form-parser.js';
import { answerClientError } from './common/client-error.js';
import { requestIdFor } from './common/logging.js';
import { recordRouteMethods } from './common/route-methods.js';
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
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  recordRouteMethods(fastify);
  // Only JSON reaches a route: a text/plain body is what any web page can send cross-site.
  fastify.removeContentTypeParser('text/plain');
  parseCallbackForms(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    // Echoed so a client (or the load balancer's log) can quote it when reporting a problem.
    reply.header('X-Request-Id', request.id);
    done();
  });
  return adapter;
}

export const API_KEY_SECURITY_SCHEME = 'apiKey';

const UNAUTHORIZED_RESPONSE = {
  description: OtpErrorCode.Unauthorized,
  headers: { 'WWW-Authenticate': { schema: { type: 'string', example: 'Bearer' } } },
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/ErrorResponseDto' },
      examples: {
        [OtpErrorCode.Unauthorized]: {
          summary: OtpErrorCode.Unauthorized,
          value: {
            statusCode: 401,
            code: OtpErrorCode.Unauthorized,
            message: OTP_ERROR_MESSAGES[OtpErrorCode.Unauthorized],
          },
        },
      },
    },
  },
};

/**
 * With API keys configured, every `/api/otp/*` operation needs the bearer key and may answer
 * 401; without them the document names neither, as the service then asks for no key.
 */
function requireApiKey(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    // Provider callbacks are signed by the provider, which has no API key of ours.
    if (!path.startsWith('/api/otp/') || path.startsWith('/api/otp/callbacks/')) continue;
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!operation) continue;
      operation.security = [{ [API_KEY_SECURITY_SCHEME]: [] }];
      operation.responses['401'] = UNAUTHORIZED_RESPONSE;
    }
  }
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

/**
 * The module's routes are relative (`otp/request`); the service places them under `/api`, as
 * the contract does, and keeps its own routes where operators and JOSE libraries look for them.
 */
const API_PREFIX = 'api';
const ROUTES_OUTSIDE_API = ['health/*path', 'metrics', '.well-known/jwks.json', 'admin/*path'];

/** App-wide set-up that is not a provider: the prefix, CORS, the OpenAPI document, the logger. */
export function configureApp(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: ROUTES_OUTSIDE_API });
  app.useLogger(app.get(Logger));
  enableCors(app, app.get(ConfigService).get<string[]>('corsOrigins') ?? []);
  const apiKeysRequired = app.get(OtpApiKeys, { strict: false }).required;
  const adminRoutes = app.get(ConfigService).get<AppConfig['otp']>('otp')?.fraudGuard?.adminApiKey;
  let builder = new DocumentBuilder()
    .setTitle('OTP verification')
    .setDescription('Sends one-time codes by SMS and verifies them.')
    .setVersion('1')
    .addServer('/', 'This service')
    .addTag('otp', 'Send and verify one-time codes')
    .addTag('health', 'Liveness and readiness probes')
    .addTag('operations', 'Metrics for monitoring')
    .addTag('tokens', 'Public keys that verify verification tokens');
  if (adminRoutes !== undefined) {
    // The admin routes' `Authorization: Bearer <OTP_ADMIN_API_KEY>`; without the key they and
    // their scheme are absent from the document.
    builder = builder
      .addTag('admin', 'Fraud guard administration (with OTP_ADMIN_API_KEY)')
      .addBearerAuth();
  }
  if (apiKeysRequired) {
    builder = builder.addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'one of the keys of OTP_API_KEYS' },
      API_KEY_SECURITY_SCHEME,
    );
  }
  const document = SwaggerModule.createDocument(app, builder.build());
  if (apiKeysRequired) requireApiKey(document);
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

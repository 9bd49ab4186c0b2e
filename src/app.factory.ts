import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OTP_ERROR_MESSAGES, OtpApiKeys, OtpErrorCode } from 'nestjs-otp-verify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { requestIdFor } from './common/logging.js';
import type { AppConfig } from './config/app-config.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify accepts a hop count at run time; its type declaration leaves numbers out.
    trustProxy: config.trustProxy as boolean | string | string[],
    requestIdHeader: false,
    genReqId: requestIdFor,
  });
  // Echoed so a client (or the load balancer's log) can quote it when reporting a problem.
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
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
    if (!path.startsWith('/api/otp/')) continue;
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!operation) continue;
      operation.security = [{ [API_KEY_SECURITY_SCHEME]: [] }];
      operation.responses['401'] = UNAUTHORIZED_RESPONSE;
    }
  }
}

/** App-wide set-up that is not a provider: the OpenAPI document and the JSON logger. */
export function configureApp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  const apiKeysRequired = app.get(OtpApiKeys, { strict: false }).required;
  let builder = new DocumentBuilder()
    .setTitle('OTP verification')
    .setDescription('Sends one-time codes by SMS and verifies them.')
    .setVersion('1')
    // The admin routes' `Authorization: Bearer <OTP_ADMIN_API_KEY>`.
    .addBearerAuth();
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
    { bufferLogs: true, return503OnClosing: true },
  );
  configureApp(app);
  // process.exit(0) after the drain: a clean stop for the orchestrator, and pino flushed.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}

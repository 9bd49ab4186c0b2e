import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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

/** App-wide set-up that is not a provider: the OpenAPI document and the JSON logger. */
export function configureApp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('OTP verification')
      .setDescription('Sends one-time codes by SMS and verifies them.')
      .setVersion('1')
      // The admin routes' `Authorization: Bearer <OTP_ADMIN_API_KEY>`.
      .addBearerAuth()
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
    { bufferLogs: true, return503OnClosing: true },
  );
  configureApp(app);
  // process.exit(0) after the drain: a clean stop for the orchestrator, and pino flushed.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify accepts a hop count at run time; its type declaration leaves numbers out.
    trustProxy: config.trustProxy as boolean | string | string[],
  });
}

/** App-wide set-up that is not a provider: the OpenAPI document and the shutdown hooks. */
export function configureApp(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('OTP verification')
      .setDescription('Sends one-time codes by SMS and verifies them.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  app.enableShutdownHooks();
}

/** The standalone service from a validated config. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createFastifyAdapter(config),
  );
  configureApp(app);
  return app;
}

import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SMS_PROVIDER, type SmsProvider } from 'nestjs-otp-verify';

export type HostPlatform = 'Express' | 'Fastify';

/** What every host passes as `hashSecret`: the module requires one of at least 32 bytes. */
export const HOST_HASH_SECRET = 'host-app-hash-secret-of-32-bytes-or-more';

/**
 * A host application as a team writes one: its own module importing `OtpModule` (and whatever
 * else it chooses), no global pipe, filter or guard, on the platform named. Only the SMS
 * provider is swapped for the test's outbox; `undefined` keeps the configured one.
 */
export async function startHostApp(
  metadata: Pick<ModuleMetadata, 'imports' | 'providers' | 'controllers'>,
  outbox: SmsProvider | undefined,
  platform: HostPlatform = 'Express',
  /** What the host sets up on its application before it starts (a global prefix, say). */
  configure: (app: INestApplication) => void = () => undefined,
): Promise<INestApplication> {
  @Module(metadata)
  class HostModule {}

  const builder = Test.createTestingModule({ imports: [HostModule] });
  if (outbox) builder.overrideProvider(SMS_PROVIDER).useValue(outbox);
  const moduleRef = await builder.compile();
  if (platform === 'Express') {
    const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: ['error'] });
    configure(app);
    await app.init();
    return app;
  }
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: ['error'],
  });
  configure(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

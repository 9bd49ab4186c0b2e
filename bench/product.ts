/**
 * The standalone service as `node dist/main.js` builds it (the same AppModule, Fastify adapter,
 * logger, metrics, throttler and exception filter, from the environment), with one difference:
 * the SMS provider under the service's own retry-and-deadline wrapper is a stand-in that accepts
 * every message at once, the same as the peer's. The bench measures the service, not an SMS API.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  SMS_DELIVERY_OBSERVER,
  SMS_PROVIDER,
  type SmsDeliveryObserver,
  type SmsProvider,
} from 'nestjs-otp-verify';
import { ResilientSmsProvider } from '../packages/nestjs-otp-verify/src/sms/resilient-sms.provider.js';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from '../src/app.factory.js';
import { AppModule } from '../src/app.module.js';
import { loadAppConfig } from '../src/config/app-config.js';

/** The module's default delivery policy (2 retries, 3 calls, a 10 s deadline), as a real provider gets it. */
const DELIVERY_POLICY = { maxRetries: 2, maxAttempts: 3, timeoutMs: 10_000, baseDelayMs: 200 };
const standIn: SmsProvider = { name: 'bench-stand-in', send: async () => undefined };

const config = loadAppConfig(process.env);
const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
  .overrideProvider(SMS_PROVIDER)
  .useFactory({
    inject: [{ token: SMS_DELIVERY_OBSERVER, optional: true }],
    factory: (observer?: SmsDeliveryObserver) =>
      new ResilientSmsProvider(
        [{ provider: standIn, classify: () => ({ kind: 'permanent', reason: 'stand-in' }) }],
        DELIVERY_POLICY,
        observer,
      ),
  })
  .compile();
const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), {
  ...NEST_APP_OPTIONS,
  bufferLogs: true,
  return503OnClosing: true,
});
configureApp(app);
app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
await app.listen(config.port, '127.0.0.1');

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import request from 'supertest';
import { OtpModule } from '../packages/nestjs-otp-verify/src/otp.module.js';
import { keysUnder, ownKeySpace, REDIS_URL } from './support/redis.js';
import { expectRefused } from './support/refusals.js';
import { SmsOutbox } from './support/sms-outbox.js';
import { HOST_HASH_SECRET, startHostApp } from './support/host-app.js';

/**
 * A host application on Express that imports OtpModule.forRoot() and sets nothing up globally,
 * with a generous ThrottlerModule of its own: the module's limits still hold on its routes.
 */
describe('OtpModule in a host app on Express', () => {
  const { prefix, redis, release } = ownKeySpace('e2e-host');
  const outbox = new SmsOutbox();
  let app: INestApplication;

  beforeAll(async () => {
    app = await startHostApp(
      {
        imports: [
          ThrottlerModule.forRoot([{ ttl: 60_000, limit: 1000 }]),
          OtpModule.forRoot({
            hashSecret: HOST_HASH_SECRET,
            redis: { url: REDIS_URL, keyPrefix: prefix },
            resendCooldownSeconds: 0,
            rateLimit: { ttlSeconds: 60, requestLimit: 2 },
          }),
        ],
      },
      outbox,
    );
  });
  afterAll(async () => {
    await app?.close();
    await release();
  });

  it('throttles by req.ip with the module options, under the module key prefix', async () => {
    const send = (phoneNumber: string) =>
      request(app.getHttpServer()).post('/otp/request').send({ phoneNumber });
    await send('+447400500001').expect(202);
    await send('+447400500002').expect(202);
    expectRefused(await send('+447400500003'), 'rate_limited', 60);
    expect(outbox.messages).toHaveLength(2);
    expect((await keysUnder(redis, `${prefix}throttle:`)).length).toBeGreaterThan(0);
  });
});

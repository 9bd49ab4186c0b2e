import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, Module } from '@nestjs/common';
import request from 'supertest';
import {
  FRAUD_GUARD_OBSERVER,
  type FraudGuardDecisionEvent,
  OtpError,
  OtpModule,
  OtpService,
} from 'nestjs-otp-verify';
import { FakeCaptchaServer, passToken } from './support/fake-captcha-server.js';
import { SmsOutbox } from './support/sms-outbox.js';
import { HOST_HASH_SECRET, startHostApp, type HostPlatform } from './support/host-app.js';

const ADMIN_KEY = 'host-admin-key-of-at-least-32-characters';

const platforms: HostPlatform[] = ['Express', 'Fastify'];

/**
 * A host app with no Redis (the in-memory counters), its own observer and no global set-up:
 * the guard, its refusals and the admin routes work on either adapter.
 */
describe.each(platforms)('the fraud guard in a host app on %s', (platform) => {
  const outbox = new SmsOutbox();
  const decisions: FraudGuardDecisionEvent[] = [];
  let app: INestApplication;

  beforeAll(async () => {
    @Module({
      providers: [
        {
          provide: FRAUD_GUARD_OBSERVER,
          useValue: {
            fraudGuardDecision: (event: FraudGuardDecisionEvent) => decisions.push(event),
          },
        },
      ],
      exports: [FRAUD_GUARD_OBSERVER],
    })
    class ObserverModule {}

    app = await startHostApp(
      {
        imports: [
          { module: ObserverModule, global: true },
          OtpModule.forRoot({
            fraudAdminRoutes: true,
            resendCooldownSeconds: 0,
            hashSecret: HOST_HASH_SECRET,
            fraudGuard: {
              prefixMinSends: 3,
              prefixMinConversion: 0.5,
              countrySendLimits: { FR: 1 },
              adminApiKey: ADMIN_KEY,
            },
          }),
        ],
      },
      outbox,
      platform,
    );
  });
  afterAll(async () => app?.close());

  it('quarantines a prefix, refuses over a country budget, and tells its observer', async () => {
    const requestCode = (phoneNumber: string) =>
      request(app.getHttpServer()).post('/otp/request').send({ phoneNumber });
    for (const n of ['+447400120001', '+447400120002', '+447400120003']) {
      await requestCode(n).expect(202);
    }
    const blocked = await requestCode('+447400120004').expect(403);
    expect(blocked.body.code).toBe('delivery_blocked');
    await requestCode('+33612345678').expect(202);
    const refused = await requestCode('+33698765432').expect(429);
    expect(refused.body.code).toBe('country_send_limit_exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(outbox.messages).toHaveLength(4);
    expect(decisions).toEqual([
      {
        decision: 'quarantined',
        country: 'GB',
        prefix: '44740012',
        sends: 3,
        approvals: 0,
        conversion: 0,
        quarantinedUntil: expect.any(Number),
      },
      expect.objectContaining({ decision: 'blocked', country: 'GB', prefix: '44740012' }),
      { decision: 'budget_exceeded', country: 'FR', budget: 'country' },
    ]);
    // The service refuses the same way to a host's own code.
    const otp = app.get(OtpService);
    await expect(otp.requestCode('+447400120005')).rejects.toBeInstanceOf(OtpError);
  });

  it('guards the admin routes with the admin key, and releases', async () => {
    const server = app.getHttpServer();
    const denied = await request(server).get('/admin/fraud/prefixes').expect(401);
    expect(denied.body.code).toBe('unauthorized');
    expect(denied.headers['www-authenticate']).toBe('Bearer');
    const auth = `Bearer ${ADMIN_KEY}`;
    const listed = await request(server)
      .get('/admin/fraud/prefixes')
      .set('Authorization', auth)
      .expect(200);
    expect(listed.body).toEqual([
      {
        prefix: '44740012',
        country: 'GB',
        sends: 3,
        approvals: 0,
        conversion: 0,
        quarantinedUntil: expect.any(String),
      },
    ]);
    await request(server)
      .delete('/admin/fraud/prefixes/44740012')
      .set('Authorization', auth)
      .expect(204);
    await request(server).post('/otp/request').send({ phoneNumber: '+447400120004' }).expect(202);
  });
});

/** The challenge step in an Express host app on the in-memory store, against the fake siteverify. */
describe('a challenge instead of a block in an Express host app', () => {
  const outbox = new SmsOutbox();
  let fake: FakeCaptchaServer;
  let app: INestApplication;

  beforeAll(async () => {
    fake = await FakeCaptchaServer.start();
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            resendCooldownSeconds: 0,
            hashSecret: HOST_HASH_SECRET,
            fraudGuard: { prefixDigits: 8, prefixMinSends: 2, prefixMinConversion: 0.5 },
            challenge: {
              provider: 'hcaptcha',
              secret: 'host-captcha-secret',
              siteKey: 'host-site-key',
              verifyUrl: fake.verifyUrl,
            },
          }),
        ],
      },
      outbox,
      'Express',
    );
  });
  afterAll(async () => {
    await app?.close();
    await fake?.stop();
  });

  it('asks for a challenge in a quarantined prefix, serves it with a token, refuses a reused one', async () => {
    const requestCode = (phoneNumber: string, captchaToken?: string) =>
      request(app.getHttpServer())
        .post('/otp/request')
        .send({ phoneNumber, ...(captchaToken && { captchaToken }) });
    await requestCode('+447400550001').expect(202);
    await requestCode('+447400550002').expect(202);
    const asked = await requestCode('+447400550003').expect(403);
    expect(asked.body).toEqual({
      statusCode: 403,
      code: 'captcha_required',
      message: expect.any(String),
      captcha: { provider: 'hcaptcha', siteKey: 'host-site-key' },
    });
    const token = passToken();
    await requestCode('+447400550003', token).expect(202);
    expect((await requestCode('+447400550004', token).expect(403)).body.code).toBe(
      'captcha_failed',
    );
    expect(outbox.messages).toHaveLength(3);
    await expect(app.get(OtpService).requestCode('+447400550005')).rejects.toMatchObject({
      code: 'captcha_required',
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  OtpError,
  OtpErrorCode,
  OtpModule,
  OtpService,
  SMS_PROVIDER,
  type OtpModuleAsyncOptions,
  type OtpModuleOptions,
  type OtpOptionsFactory,
} from 'nestjs-otp-verify';
import { keysUnder, ownKeySpace, REDIS_URL } from './support/redis.js';
import { SmsOutbox } from './support/sms-outbox.js';
import { HOST_HASH_SECRET, startHostApp, type HostPlatform } from './support/host-app.js';
import { WEBHOOK_SECRET, WebhookReceiver } from './support/webhook-receiver.js';

/** A host application's own code, calling the exported service without HTTP. */
@Injectable()
class SignupService {
  constructor(private readonly otp: OtpService) {}

  async startSignup(phoneNumber: string): Promise<string> {
    return (await this.otp.requestCode(phoneNumber)).phoneNumber;
  }

  async confirm(phoneNumber: string, code: string): Promise<boolean> {
    try {
      await this.otp.verifyCode(phoneNumber, code);
      return true;
    } catch (error) {
      if (error instanceof OtpError && error.code === OtpErrorCode.OtpIncorrect) return false;
      throw error;
    }
  }
}

const platforms: HostPlatform[] = ['Express', 'Fastify'];

describe.each(platforms)('a host app on %s importing OtpModule.forRoot', (platform) => {
  const { prefix, redis, release } = ownKeySpace('host');
  const outbox = new SmsOutbox();
  let app: INestApplication;

  beforeAll(async () => {
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            codeLength: 4,
            maxAttempts: 2,
            resendCooldownSeconds: 0,
            appName: 'Acme',
            hashSecret: HOST_HASH_SECRET,
            redis: { url: REDIS_URL, keyPrefix: prefix },
          }),
        ],
        providers: [SignupService],
      },
      outbox,
      platform,
    );
  });
  afterAll(async () => {
    await app?.close();
    await release();
  });

  it('serves both endpoints with its own options', async () => {
    const phoneNumber = '+447400555001';
    const sent = await request(app.getHttpServer())
      .post('/otp/request')
      .send({ phoneNumber })
      .expect(202);
    expect(sent.body).toMatchObject({
      status: 'pending',
      phoneNumber,
      maxAttempts: 2,
      resendAfterSeconds: 0,
    });
    const code = outbox.lastCodeFor(phoneNumber);
    expect(code).toMatch(/^\d{4}$/);
    expect(outbox.messages.at(-1)?.text).toContain('Your Acme verification code is');
    const approved = await request(app.getHttpServer())
      .post('/otp/verify')
      .send({ phoneNumber, code })
      .expect(200);
    expect(approved.body).toEqual({
      verificationId: expect.stringMatching(/^ver_/),
      status: 'approved',
      phoneNumber,
      verificationToken: expect.any(String),
      tokenExpiresInSeconds: 600,
    });
    // The number's key and its verification's record (the throttler keeps its own keys under
    // `${prefix}throttle:`), and the approved code is gone from it: what stays is the send count
    // and its window.
    const key = `${prefix}{${phoneNumber}}`;
    expect(await keysUnder(redis, `${prefix}{`)).toEqual([key, expect.stringMatching(/}v:/)]);
    expect(await redis.hexists(key, 'h')).toBe(0);
    expect(await redis.hget(key, 's')).toBe('1');
  });

  it('answers with the contract error bodies and Retry-After, with no global set-up', async () => {
    const phoneNumber = '+447400555002';
    const server = app.getHttpServer();
    const invalid = await request(server)
      .post('/otp/request')
      .send({ phoneNumber: 'nope' })
      .expect(400);
    expect(invalid.body).toEqual({
      statusCode: 400,
      code: 'invalid_phone_number',
      message: 'phoneNumber is not a valid phone number',
    });
    const unknown = await request(server)
      .post('/otp/request')
      .send({ phoneNumber, x: 1 })
      .expect(400);
    expect(unknown.body).toMatchObject({
      code: 'validation_failed',
      message: 'property x should not exist',
    });

    await request(server).post('/otp/request').send({ phoneNumber }).expect(202);
    const code = outbox.lastCodeFor(phoneNumber);
    const wrong = code === '0000' ? '1111' : '0000';
    const incorrect = await request(server)
      .post('/otp/verify')
      .send({ phoneNumber, code: wrong })
      .expect(400);
    expect(incorrect.body).toEqual({
      statusCode: 400,
      code: 'otp_incorrect',
      message: 'The code is incorrect',
      attemptsRemaining: 1,
    });
    await request(server).post('/otp/verify').send({ phoneNumber, code: wrong }).expect(400);
    const exceeded = await request(server)
      .post('/otp/verify')
      .send({ phoneNumber, code })
      .expect(429);
    expect(exceeded.body.code).toBe('otp_attempts_exceeded');
    expect(Number(exceeded.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("lets the host's own code call OtpService without HTTP", async () => {
    const signup = app.get(SignupService);
    const phoneNumber = await signup.startSignup('+44 7400 555003');
    expect(phoneNumber).toBe('+447400555003');
    const code = outbox.lastCodeFor(phoneNumber);
    const wrong = code === '0000' ? '1111' : '0000';
    await expect(signup.confirm(phoneNumber, wrong)).resolves.toBe(false);
    await expect(signup.confirm(phoneNumber, code)).resolves.toBe(true);
    await expect(signup.confirm(phoneNumber, code)).rejects.toMatchObject({
      code: OtpErrorCode.OtpNotFound,
    });
    await expect(signup.startSignup('not a number')).rejects.toMatchObject({
      code: OtpErrorCode.InvalidPhoneNumber,
    });
  });
});

/** A host's own options provider, reading its configuration as the README shows. */
@Injectable()
class OtpOptionsFromConfig implements OtpOptionsFactory {
  constructor(private readonly config: ConfigService) {}

  createOtpOptions(): OtpModuleOptions {
    return {
      hashSecret: this.config.getOrThrow<string>('OTP_HASH_SECRET'),
      codeLength: this.config.getOrThrow<number>('OTP_LENGTH'),
    };
  }
}

@Module({ providers: [OtpOptionsFromConfig], exports: [OtpOptionsFromConfig] })
class HostOptionsModule {}

const ASYNC_WAYS: [string, OtpModuleAsyncOptions][] = [
  [
    'useFactory with ConfigService',
    {
      inject: [ConfigService],
      useFactory: (config: ConfigService) => new OtpOptionsFromConfig(config).createOtpOptions(),
    },
  ],
  ['useClass', { useClass: OtpOptionsFromConfig }],
  ['useExisting', { imports: [HostOptionsModule], useExisting: OtpOptionsFromConfig }],
];

describe.each(ASYNC_WAYS)('OtpModule.forRootAsync with %s', (_way, asyncOptions) => {
  it('takes its options from the host configuration', async () => {
    const outbox = new SmsOutbox();
    const config = { OTP_HASH_SECRET: HOST_HASH_SECRET, OTP_LENGTH: 7 };
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        OtpModule.forRootAsync(asyncOptions),
      ],
    })
      .overrideProvider(SMS_PROVIDER)
      .useValue(outbox)
      .compile();
    try {
      const otp = moduleRef.get(OtpService);
      await otp.requestCode('+447400555005');
      const code = outbox.lastCodeFor('+447400555005');
      expect(code).toMatch(/^\d{7}$/);
      await expect(otp.verifyCode('+447400555005', code)).resolves.toMatchObject({
        status: 'approved',
      });
    } finally {
      await moduleRef.close();
    }
  });
});

describe('OtpModule.forRootAsync without Redis', () => {
  it('runs on the in-memory store and refuses options it cannot honour', async () => {
    const outbox = new SmsOutbox();
    const moduleRef = await Test.createTestingModule({
      imports: [
        OtpModule.forRootAsync({
          useFactory: async () => ({ hashSecret: HOST_HASH_SECRET, codeLength: 5 }),
        }),
      ],
    })
      .overrideProvider(SMS_PROVIDER)
      .useValue(outbox)
      .compile();
    const otp = moduleRef.get(OtpService);
    await otp.requestCode('+447400555004');
    await expect(
      otp.verifyCode('+447400555004', outbox.lastCodeFor('+447400555004')),
    ).resolves.toEqual({
      verificationId: expect.stringMatching(/^ver_/),
      status: 'approved',
      phoneNumber: '+447400555004',
      verificationToken: expect.any(String),
      tokenExpiresInSeconds: 600,
    });
    await moduleRef.close();

    await expect(
      Test.createTestingModule({
        imports: [OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET, codeLength: 12 })],
      }).compile(),
    ).rejects.toThrow('OtpModule option codeLength must be an integer from 4 to 10');
    await expect(
      Test.createTestingModule({
        imports: [OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET, messageTemplate: 'Hello' })],
      }).compile(),
    ).rejects.toThrow(
      'OTP_MESSAGE_TEMPLATE (OtpModule option messageTemplate) must contain {code}',
    );
  });

  it('refuses to start without a hashSecret of 32 bytes or more, naming the option', async () => {
    const refusal = 'OtpModule option hashSecret is required, at least 32 bytes';
    for (const options of [{}, { hashSecret: '5byte' }, { hashSecret: 'é'.repeat(15) }]) {
      await expect(
        Test.createTestingModule({
          imports: [OtpModule.forRoot(options as OtpModuleOptions)],
        }).compile(),
      ).rejects.toThrow(refusal);
    }
    await expect(
      Test.createTestingModule({
        imports: [OtpModule.forRootAsync({ useFactory: () => ({}) as OtpModuleOptions })],
      }).compile(),
    ).rejects.toThrow(refusal);
  });

  it("warns of a missing token key by the module's option, not the service's variable", async () => {
    const warnings: string[] = [];
    const capture = { log() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const moduleRef = await Test.createTestingModule({
      imports: [OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET })],
    })
      .setLogger(capture)
      .compile();
    await moduleRef.close();
    expect(warnings).toEqual([expect.stringContaining('OtpModule option token.privateKey')]);
    expect(warnings.join('\n')).not.toMatch(/OTP_[A-Z_]+/);
  });
});

describe('a host app on Express with webhooks, status and cancel', () => {
  const { prefix, release } = ownKeySpace('host-hooks');
  const outbox = new SmsOutbox();
  let app: INestApplication;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            resendCooldownSeconds: 0,
            hashSecret: HOST_HASH_SECRET,
            redis: { url: REDIS_URL, keyPrefix: prefix },
            webhooks: { urls: [receiver.url], secret: WEBHOOK_SECRET },
            fraudGuard: {
              prefixMinSends: 3,
              prefixMinConversion: 0.5,
              countrySendLimits: { FR: 1 },
            },
          }),
        ],
      },
      outbox,
    );
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.stop();
    await release();
  });

  it('serves the verification routes and sends its events, signed', async () => {
    const phoneNumber = '+447400555101';
    const server = app.getHttpServer();
    const sent = await request(server).post('/otp/request').send({ phoneNumber }).expect(202);
    const id = sent.body.verificationId as string;
    await request(server).post(`/otp/verifications/${id}/cancel`).expect(200);
    const shown = await request(server).get(`/otp/verifications/${id}`).expect(200);
    expect(shown.body.status).toBe('canceled');
    expect((await receiver.next('verification.pending', id)).data.status).toBe('pending');
    expect((await receiver.next('verification.canceled', id)).data).toEqual(shown.body);
  });

  it('tells of a quarantined prefix and a spent country budget', async () => {
    const server = app.getHttpServer();
    for (const phoneNumber of ['+447400560001', '+447400560002', '+447400560003']) {
      await request(server).post('/otp/request').send({ phoneNumber }).expect(202);
    }
    await request(server).post('/otp/request').send({ phoneNumber: '+33612345678' }).expect(202);
    await request(server).post('/otp/request').send({ phoneNumber: '+33698765432' }).expect(429);
    const quarantined = await receiver.next('fraud.prefix_quarantined');
    expect(quarantined.data).toEqual({
      prefix: '44740056',
      country: 'GB',
      sends: 3,
      approvals: 0,
      conversion: 0,
      until: expect.any(String),
    });
    const spent = await receiver.next('fraud.country_budget_exhausted');
    expect(spent.data).toEqual({ country: 'FR', budget: 'country' });
  });
});

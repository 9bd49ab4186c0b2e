import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ConfigError, loadAppConfig } from '../src/config/app-config.js';
import {
  OtpModule,
  OtpService,
  SMS_PROVIDER,
  SmsDeliveryError,
  type SmsProvider,
} from 'nestjs-otp-verify';
import { FakeSmsServer, type FakeProvider, type ReceivedSms } from './support/fake-sms-server.js';
import { freePort } from './support/redis-server.js';
import { expectRefused } from './support/refusals.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { HOST_HASH_SECRET } from './support/host-app.js';

const PHONE = '+14155552671';
const PLIVO_TOKEN = 'plivo-token-that-must-never-be-echoed';
const AWS_KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFORTESTS',
  AWS_SECRET_ACCESS_KEY: 'fake-aws-secret',
};

describe('SMS delivery through the real Plivo and SNS SDKs (fake provider on 127.0.0.1)', () => {
  let fake: FakeSmsServer;
  const savedEnv: Record<string, string | undefined> = {};
  const env: Record<FakeProvider, () => Record<string, string>> = {
    plivo: () => ({
      SMS_PROVIDER: 'plivo',
      PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
      PLIVO_AUTH_TOKEN: PLIVO_TOKEN,
      PLIVO_SENDER: '+14155550100',
      PLIVO_BASE_URL: fake.url,
    }),
    sns: () => ({ SMS_PROVIDER: 'sns', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SNS: fake.url }),
  };
  const plivoThenSns = (extra: Record<string, string> = {}) => ({
    ...env.plivo(),
    ...env.sns(),
    SMS_PROVIDER: 'plivo',
    SMS_FALLBACK_PROVIDER: 'sns',
    ...extra,
  });

  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    // The AWS SDK reads static credentials from process.env itself, not from our config.
    for (const [name, value] of Object.entries(AWS_KEYS)) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await fake.stop();
  });
  afterEach(() => fake.reset());

  async function withApp(extra: Record<string, string>, run: (t: TestApp) => Promise<void>) {
    const t = await startTestApp({ realSms: true, env: extra });
    try {
      await run(t);
    } finally {
      await t.close();
    }
  }
  const requestCode = (t: TestApp) =>
    request(t.server).post('/api/otp/request').send({ phoneNumber: PHONE });
  const verify = (t: TestApp, code: string) =>
    request(t.server).post('/api/otp/verify').send({ phoneNumber: PHONE, code });
  const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? 'no code';
  async function requestOne(t: TestApp): Promise<ReceivedSms> {
    await requestCode(t).expect(202);
    expect(fake.received).toHaveLength(1);
    return fake.received[0];
  }

  it('delivers through Plivo with Basic auth, the sender, E.164 and the WebOTP line', async () => {
    await withApp({ ...env.plivo(), OTP_WEBOTP_DOMAIN: 'example.com' }, async (t) => {
      const sms = await requestOne(t);
      expect(sms).toMatchObject({
        provider: 'plivo',
        to: PHONE,
        from: '+14155550100',
        credential: `MAFAKEACCOUNT:${PLIVO_TOKEN}`,
      });
      const code = codeIn(sms.text);
      expect(sms.text).toBe(
        `Your OTP verification code is ${code}. It expires in 5 minutes.\n@example.com #${code}`,
      );
      await verify(t, code).expect(200);
    });
  });

  it('publishes through SNS with the SMS type, the sender ID and signed credentials', async () => {
    await withApp(
      { ...env.sns(), SNS_SMS_TYPE: 'Promotional', SNS_SENDER_ID: 'MyShop' },
      async (t) => {
        const sms = await requestOne(t);
        expect(sms).toMatchObject({
          provider: 'sns',
          to: PHONE,
          smsType: 'Promotional',
          senderId: 'MyShop',
          credential: AWS_KEYS.AWS_ACCESS_KEY_ID,
        });
        await verify(t, codeIn(sms.text)).expect(200);
      },
    );
  });

  it.each(['plivo', 'sns'] as const)(
    'retries %s after 429 answers and then delivers',
    async (provider) => {
      fake.script(provider, 429, 429);
      await withApp({ ...env[provider](), SMS_MAX_RETRIES: '2' }, async (t) => {
        await requestCode(t).expect(202);
        expect(fake.received.map((sms) => sms.replied)).toEqual([
          429,
          429,
          provider === 'plivo' ? 202 : 200,
        ]);
        await verify(t, codeIn(fake.received[2].text)).expect(200);
      });
    },
  );

  it('leaves retrying to its own budget: with no retries one SNS 429 is one request', async () => {
    fake.script('sns', 429);
    await withApp({ ...env.sns(), SMS_MAX_RETRIES: '0' }, async (t) => {
      const res = await requestCode(t).expect(502);
      expect(res.body.code).toBe('sms_delivery_failed');
      expect(fake.hits('sns')).toBe(1);
    });
  });

  it.each(['plivo', 'sns'] as const)(
    'makes one call for 20 requests when %s answers 500 after taking the message, then applies the cooldown',
    async (provider) => {
      fake.script(provider, ...Array<number>(20).fill(500));
      await withApp(env[provider](), async (t) => {
        const answers = [];
        for (let i = 0; i < 20; i++) answers.push(await requestCode(t));
        expect(answers[0].status).toBe(502);
        expect(answers[0].body).toEqual({
          statusCode: 502,
          code: 'sms_delivery_failed',
          message: expect.any(String),
          mayHaveBeenSent: true,
        });
        // The cooldown (30 s by default): the client knows when it may ask again.
        expect(answers[0].headers['retry-after']).toBe('30');
        for (const refused of answers.slice(1)) expectRefused(refused, 'resend_cooldown', 30);
        // At most one send's worth of calls: the SDKs' own retries are off, ours never follow a 5xx.
        expect(fake.hits(provider)).toBe(1);
        // The message may have arrived: its code is still the pending one.
        await verify(t, codeIn(fake.received[0].text)).expect(200);
      });
    },
  );

  it.each(['plivo', 'sns'] as const)(
    'keeps the code pending and counts the send when %s answers 202 after our timeout',
    async (provider) => {
      fake.script(provider, { status: provider === 'plivo' ? 202 : 200, afterMs: 10_500 });
      // The default SMS_TIMEOUT_MS (10 s) and cooldown (30 s).
      await withApp(env[provider](), async (t) => {
        const lost = await requestCode(t).expect(502);
        expect(lost.body).toMatchObject({ code: 'sms_delivery_failed', mayHaveBeenSent: true });
        expect(lost.headers['retry-after']).toBe('30');
        expectRefused(await requestCode(t), 'resend_cooldown', 30);
        expect(fake.hits(provider)).toBe(1);
        await verify(t, codeIn(fake.received[0].text)).expect(200);
      });
    },
    30_000,
  );

  it('counts a send whose answer was lost against the country budget', async () => {
    fake.script('plivo', 500);
    await withApp({ ...env.plivo(), OTP_COUNTRY_SEND_LIMITS: 'US=1' }, async (t) => {
      await requestCode(t).expect(502);
      const other = await request(t.server)
        .post('/api/otp/request')
        .send({ phoneNumber: '+14155552672' });
      expectRefused(other, 'country_send_limit_exceeded', 86_400);
      expect(fake.hits('plivo')).toBe(1);
    });
  });

  it.each(['plivo', 'sns'] as const)(
    'answers 502 on a %s 4xx without retrying, and consumes nothing',
    async (provider) => {
      fake.script(provider, 400);
      // One send per window and the default cooldown: a consumed send would refuse the next request.
      await withApp({ ...env[provider](), OTP_MAX_SENDS_PER_WINDOW: '1' }, async (t) => {
        const failed = await requestCode(t).expect(502);
        expect(failed.body).toEqual({
          statusCode: 502,
          code: 'sms_delivery_failed',
          message: 'The SMS could not be delivered; try again',
        });
        expect(fake.hits(provider)).toBe(1);
        const stale = await verify(t, codeIn(fake.received[0].text)).expect(404);
        expect(stale.body.code).toBe('otp_not_found');

        await requestCode(t).expect(202);
        expect(fake.hits(provider)).toBe(2);
        await verify(t, codeIn(fake.received[1].text)).expect(200);
      });
    },
  );

  it.each(['plivo', 'sns'] as const)(
    'gives up on a hung %s at SMS_TIMEOUT_MS with 502, leaving the code that may arrive pending',
    async (provider) => {
      // The fake never answers: only the deadline can end this request.
      fake.script(provider, 'hang', 'hang', 'hang');
      await withApp({ ...env[provider](), SMS_TIMEOUT_MS: '1000' }, async (t) => {
        const res = await requestCode(t).expect(502);
        expect(res.body).toMatchObject({ code: 'sms_delivery_failed', mayHaveBeenSent: true });
        expect(fake.hits(provider)).toBe(1);
        await verify(t, codeIn(fake.received[0].text)).expect(200);
      });
    },
  );

  it('treats a connection reset after sending as a lost answer', async () => {
    fake.script('sns', 'reset');
    await withApp(env.sns(), async (t) => {
      const res = await requestCode(t).expect(502);
      expect(res.body.mayHaveBeenSent).toBe(true);
      expect(fake.hits('sns')).toBe(1);
    });
  });

  it('falls back to SNS when Plivo refuses, and delivers the code through it', async () => {
    fake.script('plivo', 401);
    await withApp(plivoThenSns(), async (t) => {
      await requestCode(t).expect(202);
      expect(fake.received.map((sms) => [sms.provider, sms.replied])).toEqual([
        ['plivo', 401],
        ['sns', 200],
      ]);
      await verify(t, codeIn(fake.received[1].text)).expect(200);
    });
  });

  it('answers 502 when the fallback fails as well, and consumes nothing', async () => {
    fake.script('plivo', 429, 429);
    fake.script('sns', 400);
    await withApp(plivoThenSns({ SMS_MAX_RETRIES: '1' }), async (t) => {
      const failed = await requestCode(t).expect(502);
      expect(failed.body.mayHaveBeenSent).toBeUndefined();
      expect(failed.headers['retry-after']).toBeUndefined();
      expect(fake.received.map((sms) => sms.provider)).toEqual(['plivo', 'plivo', 'sns']);
      await requestCode(t).expect(202);
    });
  });

  it('never falls back after a provider answer that may follow a sent message', async () => {
    fake.script('plivo', 503);
    await withApp(plivoThenSns(), async (t) => {
      const res = await requestCode(t).expect(502);
      expect(res.body.mayHaveBeenSent).toBe(true);
      expect(fake.received.map((sms) => sms.provider)).toEqual(['plivo']);
    });
  });

  it('makes at most SMS_MAX_ATTEMPTS provider calls per send, fallback included', async () => {
    fake.script('plivo', 429, 429, 429, 429);
    fake.script('sns', 429, 429, 429, 429);
    await withApp(plivoThenSns({ SMS_MAX_RETRIES: '3', SMS_MAX_ATTEMPTS: '3' }), async (t) => {
      await requestCode(t).expect(502);
      expect(fake.received).toHaveLength(3);
    });
  });

  it('falls back after a refused connection: nothing reached the provider', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await withApp(plivoThenSns({ PLIVO_BASE_URL: closed, SMS_MAX_RETRIES: '0' }), async (t) => {
      await requestCode(t).expect(202);
      expect(fake.received.map((sms) => sms.provider)).toEqual(['sns']);
      await verify(t, codeIn(fake.received[0].text)).expect(200);
    });
  });

  it('refuses to start without PLIVO_AUTH_TOKEN, naming it and echoing no secret', () => {
    const start = () =>
      loadAppConfig({
        SMS_PROVIDER: 'plivo',
        PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
        PLIVO_SENDER: '+14155550100',
      });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/PLIVO_AUTH_TOKEN is required/);
    const noSender = () =>
      loadAppConfig({
        SMS_PROVIDER: 'sns',
        SMS_FALLBACK_PROVIDER: 'plivo',
        PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
        PLIVO_AUTH_TOKEN: PLIVO_TOKEN,
      });
    expect(noSender).toThrow(/PLIVO_SENDER is required/);
    expect(noSender).not.toThrow(new RegExp(PLIVO_TOKEN));
  });

  it('refuses a host app whose Plivo options lack the token, naming the option', async () => {
    const compile = Test.createTestingModule({
      imports: [
        OtpModule.forRoot({
          hashSecret: HOST_HASH_SECRET,
          sms: {
            provider: 'plivo',
            plivo: { authId: 'MAFAKEACCOUNT', authToken: '', sender: '+14155550100' },
          },
        }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow(
      /PLIVO_AUTH_TOKEN \(OtpModule option sms\.plivo\.authToken\)/,
    );
  });

  it('refuses a host app using SNS without a region', async () => {
    const saved = [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION];
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const compile = Test.createTestingModule({
        imports: [
          OtpModule.forRoot({
            hashSecret: HOST_HASH_SECRET,
            sms: { provider: 'sns', sns: { endpoint: fake.url } },
          }),
        ],
      }).compile();
      await expect(compile).rejects.toThrow(/needs a region: set AWS_REGION/);
    } finally {
      if (saved[0] !== undefined) process.env.AWS_REGION = saved[0];
      if (saved[1] !== undefined) process.env.AWS_DEFAULT_REGION = saved[1];
    }
  });
});

describe("a host app's own SMS provider", () => {
  it('reports a lost answer with SmsDeliveryError of kind unknown, and the send counts', async () => {
    let calls = 0;
    const lossy: SmsProvider = {
      name: 'host-gateway',
      async send() {
        calls++;
        throw new SmsDeliveryError('host-gateway', 'unknown', 'gateway timeout');
      },
    };
    const moduleRef = await Test.createTestingModule({
      imports: [OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET })],
    })
      .overrideProvider(SMS_PROVIDER)
      .useValue(lossy)
      .compile();
    const otp = moduleRef.get(OtpService);
    await expect(otp.requestCode(PHONE)).rejects.toMatchObject({
      code: 'sms_delivery_failed',
      mayHaveBeenSent: true,
      retryAfterSeconds: 30,
    });
    await expect(otp.requestCode(PHONE)).rejects.toMatchObject({ code: 'resend_cooldown' });
    expect(calls).toBe(1);
    await moduleRef.close();
  });
});

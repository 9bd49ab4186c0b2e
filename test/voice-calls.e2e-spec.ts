import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { OtpModule, OtpService, VoiceFallback } from 'nestjs-otp-verify';
import { ConfigError, loadAppConfig } from '../src/config/app-config.js';
import { codeLeak } from './support/code-leak.js';
import { FakeSmsServer, type ReceivedCall } from './support/fake-sms-server.js';
import { HOST_HASH_SECRET, startHostApp } from './support/host-app.js';
import { SmsOutbox } from './support/sms-outbox.js';
import { freePort } from './support/redis-server.js';
import { expectRefused } from './support/refusals.js';
import { STORE_KINDS, startTestApp, startTestAppOn, type TestApp } from './support/test-app.js';

/** What Plivo's `<Speak>` reads: the digits one by one, twice. */
const SPOKEN_CODE =
  /^<Response><Speak language="en-US" loop="2">Your OTP verification code is: ((?:\d, )+\d)\. It expires in \d+ minutes?\.<\/Speak><\/Response>$/;

let fake: FakeSmsServer;
/** Every app of this file logs here (nestjs-pino keeps the first app's destination anyway). */
const lines: string[] = [];
const logDestination = { write: (line: string) => lines.push(line) };

beforeAll(async () => {
  fake = await FakeSmsServer.start();
});
afterAll(async () => {
  await fake.stop();
});
afterEach(() => fake.reset());

/** An app with voice calls through the fake Plivo, listening where its OTP_PUBLIC_URL says. */
async function startVoiceApp(
  env: Record<string, string> = {},
  start = (all: Record<string, string>) => startTestApp({ env: all, logDestination }),
): Promise<TestApp> {
  const port = await freePort();
  const t = await start({
    ...fake.plivoEnv(),
    OTP_PUBLIC_URL: `http://127.0.0.1:${port}`,
    OTP_RESEND_COOLDOWN_SECONDS: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  await t.listen(port);
  return t;
}

const requestCode = (t: TestApp, phoneNumber: string, channel?: 'voice') =>
  request(t.server).post('/api/otp/request').send({ phoneNumber, channel });
const verify = (t: TestApp, phoneNumber: string, code: string) =>
  request(t.server).post('/api/otp/verify').send({ phoneNumber, code });

/** The code a call's answer speaks, after checking the answer is Plivo XML. */
async function spokenCode(call: ReceivedCall): Promise<string> {
  const answer = await fake.fetchAnswer(call);
  expect(answer.status).toBe(200);
  expect(answer.contentType).toMatch(/^application\/xml\b/);
  const digits = SPOKEN_CODE.exec(answer.body)?.[1];
  expect(digits).toBeDefined();
  return (digits ?? '').replace(/, /g, '');
}

const ticketOf = (call: ReceivedCall): string => call.answerUrl.split('/').pop() ?? '';

describe.each(STORE_KINDS)('voice calls on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startVoiceApp({ OTP_VOICE_FALLBACK: 'undelivered' }, (env) =>
      startTestAppOn(kind, env, { logDestination }),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('places exactly one call whose answer speaks the code, which then verifies', async () => {
    const phone = '+447400123401';
    const res = await requestCode(t, phone, 'voice').expect(202);
    expect(res.body).toMatchObject({ status: 'pending', phoneNumber: phone, channel: 'voice' });
    expect(fake.calls).toHaveLength(1);
    expect(t.outbox.messages).toHaveLength(0);
    const [call] = fake.calls;
    expect(call).toMatchObject({
      to: '447400123401',
      from: '14155550100',
      answerMethod: 'GET',
      credential: 'MAFAKEACCOUNT:plivo-token',
    });
    expect(call.answerUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/otp\/callbacks\/plivo\/voice\//,
    );

    const code = await spokenCode(call);
    expect(code).toMatch(/^\d{6}$/);
    const ticket = ticketOf(call);
    expect(ticket).not.toContain(code);
    expect(Buffer.from(ticket, 'base64url').toString('latin1')).not.toContain(code);

    const status = await request(t.server)
      .get(`/api/otp/verifications/${res.body.verificationId}`)
      .expect(200);
    expect(status.body).toMatchObject({ channel: 'voice', status: 'pending' });
    expect(status.body.attempts).toEqual([
      expect.objectContaining({ channel: 'voice', provider: 'plivo', status: 'sent' }),
    ]);

    await verify(t, phone, code).expect(200);
    const after = await fake.fetchAnswer(call);
    expect(after.status).toBe(404);
    expect(after.contentType).toMatch(/^application\/json\b/);
    expect(JSON.parse(after.body)).toMatchObject({ statusCode: 404, code: 'otp_not_found' });

    const log = lines.join('');
    expect(log).toContain('Call to +44******3401 placed by plivo');
    expect(log).not.toMatch(codeLeak(code));
    expect(log).not.toContain(ticket);
  });

  it('makes at most OTP_MAX_CALLS_PER_WINDOW calls to a number per send window', async () => {
    const phone = '+447400123402';
    await requestCode(t, phone, 'voice').expect(202);
    await requestCode(t, phone, 'voice').expect(202);
    const refused = await requestCode(t, phone, 'voice');
    expectRefused(refused, 'send_limit_exceeded', 3600);
    expect(fake.calls).toHaveLength(2);
    // The number's other sends are left: an SMS still goes.
    await requestCode(t, phone).expect(202);
    expect(t.outbox.sentTo(phone)).toBe(1);
  });

  it('refuses a ticket altered in any way (403) and the ticket of a replaced code (404)', async () => {
    const phone = '+447400123403';
    await requestCode(t, phone, 'voice').expect(202);
    const [first] = fake.calls;
    const ticket = ticketOf(first);
    const flipped = `${ticket.slice(0, 20)}${ticket[20] === 'A' ? 'B' : 'A'}${ticket.slice(21)}`;
    for (const altered of [flipped, ticket.slice(0, -1), `${ticket}A`, 'not-a-ticket']) {
      const base = first.answerUrl.slice(0, -ticket.length);
      const answer = await fake.fetchAnswer(first, `${base}${altered}`);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_signature' });
    }
    expect(await spokenCode(first)).toMatch(/^\d{6}$/);

    await requestCode(t, phone, 'voice').expect(202);
    expect((await fake.fetchAnswer(first)).status).toBe(404);
    expect(await spokenCode(fake.calls[1])).toMatch(/^\d{6}$/);
  });

  it('calls once with the SMS code after an undelivered SMS, while the code is pending', async () => {
    const fallback = t.app.get(VoiceFallback);
    const phone = '+447400123404';
    const res = await requestCode(t, phone).expect(202);
    const code = t.outbox.lastCodeFor(phone);
    const id = res.body.verificationId as string;

    expect(await fallback.callAfterUndeliveredSms(id)).toBe('called');
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0].to).toBe('447400123404');
    expect(await spokenCode(fake.calls[0])).toBe(code);
    expect(await fallback.callAfterUndeliveredSms(id)).toBe('already_called');
    expect(fake.calls).toHaveLength(1);

    await verify(t, phone, code).expect(200);
    expect(await fallback.callAfterUndeliveredSms(id)).toBe('not_pending');
    expect(fake.calls).toHaveLength(1);
    expect(lines.join('')).not.toMatch(codeLeak(code));
  });

  it('makes no fallback call past the calls cap', async () => {
    const fallback = t.app.get(VoiceFallback);
    const phone = '+447400123405';
    await requestCode(t, phone, 'voice').expect(202);
    await requestCode(t, phone, 'voice').expect(202);
    const res = await requestCode(t, phone).expect(202);
    expect(await fallback.callAfterUndeliveredSms(res.body.verificationId)).toBe('call_limit');
    expect(fake.calls).toHaveLength(2);
  });
});

describe('voice calls: settings, number types and Plivo failures (one Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startVoiceApp({ OTP_MAX_CALLS_PER_WINDOW: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('calls a landline that may not get an SMS, and never a premium-rate number', async () => {
    const landline = '+44 20 7946 0958';
    const sms = await requestCode(t, landline).expect(403);
    expect(sms.body.code).toBe('phone_number_not_allowed');
    await requestCode(t, landline, 'voice').expect(202);
    expect(fake.calls.map((call) => call.to)).toEqual(['442079460958']);

    const premium = await requestCode(t, '+44 909 012 3456', 'voice').expect(403);
    expect(premium.body.code).toBe('phone_number_not_allowed');
    expect(fake.calls).toHaveLength(1);
  });

  it('gives the call back when Plivo refused it, and keeps the code when its answer was lost', async () => {
    const phone = '+447400123406';
    // An SMS first, so the send window outlives the refused call's give-back.
    await requestCode(t, phone).expect(202);
    fake.script('plivoCall', 400);
    const refused = await requestCode(t, phone, 'voice').expect(502);
    expect(refused.body).toEqual({
      statusCode: 502,
      code: 'sms_delivery_failed',
      message: expect.any(String),
    });
    // The cap is one call: the refused one did not count.
    await requestCode(t, phone, 'voice').expect(202);

    const lost = '+447400123407';
    fake.script('plivoCall', 500);
    const unknown = await requestCode(t, lost, 'voice').expect(502);
    expect(unknown.body).toMatchObject({ code: 'sms_delivery_failed', mayHaveBeenSent: true });
    expect(await spokenCode(fake.calls[2])).toMatch(/^\d{6}$/);
    expectRefused(await requestCode(t, lost, 'voice'), 'send_limit_exceeded', 3600);
  });

  it('retries a call Plivo surely did not take, within SMS_MAX_ATTEMPTS, and counts calls by result', async () => {
    const app = await startVoiceApp({ SMS_MAX_ATTEMPTS: '2' });
    try {
      fake.script('plivoCall', 429);
      await requestCode(app, '+447400123408', 'voice').expect(202);
      expect(fake.calls.map((call) => call.replied)).toEqual([429, 201]);
      expect(fake.calls[1].answerUrl).toBe(fake.calls[0].answerUrl);
      expect(await spokenCode(fake.calls[1])).toMatch(/^\d{6}$/);

      fake.script('plivoCall', 429, 429);
      const refused = await requestCode(app, '+447400123409', 'voice').expect(502);
      expect(refused.body).not.toHaveProperty('mayHaveBeenSent');
      expect(fake.calls).toHaveLength(4);

      const scrape = (await request(app.server).get('/metrics').expect(200)).text;
      expect(scrape).toContain('otp_voice_calls_total{provider="plivo",result="placed"} 1');
      expect(scrape).toContain('otp_voice_calls_total{provider="plivo",result="transient"} 1');
      expect(scrape).toMatch(/otp_voice_call_duration_seconds_count\{provider="plivo"\} 2/);
      expect(scrape).not.toMatch(/otp_sms_sends_total\{/);
    } finally {
      await app.close();
    }
  });

  it('answers Plivo without an API key, while every OTP call needs one', async () => {
    const key = 'voice-test-api-key-of-at-least-32-characters';
    const keyed = await startVoiceApp({ OTP_API_KEYS: `backend=${key}` });
    try {
      await requestCode(keyed, '+447400123412', 'voice').expect(401);
      await request(keyed.server)
        .post('/api/otp/request')
        .set('Authorization', `Bearer ${key}`)
        .send({ phoneNumber: '+447400123412', channel: 'voice' })
        .expect(202);
      expect(fake.calls).toHaveLength(1);
      expect(await spokenCode(fake.calls[0])).toMatch(/^\d{6}$/);
    } finally {
      await keyed.close();
    }
  });

  it('makes no fallback call when OTP_VOICE_FALLBACK is off', async () => {
    const res = await requestCode(t, '+447400123408').expect(202);
    const outcome = await t.app.get(VoiceFallback).callAfterUndeliveredSms(res.body.verificationId);
    expect(outcome).toBe('off');
    expect(fake.calls).toHaveLength(0);
  });
});

describe('voice calls where they cannot work', () => {
  it.each([
    ['without Plivo', { SMS_PROVIDER: 'console' }, /SMS_PROVIDER/],
    ['without OTP_PUBLIC_URL', { OTP_PUBLIC_URL: '' }, /OTP_PUBLIC_URL/],
  ])('answers 400 channel_unavailable %s, and calls nobody', async (_, env, names) => {
    const t = await startVoiceApp(env);
    try {
      const res = await requestCode(t, '+447400123409', 'voice').expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        code: 'channel_unavailable',
        message: expect.stringMatching(names),
      });
      expect(fake.calls).toHaveLength(0);
      expect(t.outbox.messages).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  it('serves no answer route without OTP_PUBLIC_URL', async () => {
    const t = await startVoiceApp({ OTP_PUBLIC_URL: '' });
    try {
      await request(t.server).get('/api/otp/callbacks/plivo/voice/anything').expect(404);
    } finally {
      await t.close();
    }
  });

  it('refuses to start with OTP_VOICE_FALLBACK=undelivered and no way to call', () => {
    expect(() => loadAppConfig({ OTP_VOICE_FALLBACK: 'undelivered' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ OTP_VOICE_FALLBACK: 'undelivered' })).toThrow(
      /OTP_VOICE_FALLBACK=undelivered needs OTP_PUBLIC_URL/,
    );
  });
});

describe('voice calls in an Express host app importing OtpModule.forRoot', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const port = await freePort();
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            hashSecret: HOST_HASH_SECRET,
            publicUrl: `http://127.0.0.1:${port}/v1`,
            sms: {
              provider: 'plivo',
              plivo: fake.plivoOptions(),
            },
            callbackRoutes: true,
          }),
        ],
      },
      new SmsOutbox(),
      'Express',
      (host) => host.setGlobalPrefix('v1'),
    );
    await app.listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('calls, answers Plivo under the host prefix, and verifies the spoken code', async () => {
    const phone = '+447400123410';
    await request(app.getHttpServer())
      .post('/v1/otp/request')
      .send({ phoneNumber: phone, channel: 'voice' })
      .expect(202);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0].answerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/otp\/callbacks\//);
    const code = await spokenCode(fake.calls[0]);
    await request(app.getHttpServer())
      .post('/v1/otp/verify')
      .send({ phoneNumber: phone, code })
      .expect(200);
    expect((await fake.fetchAnswer(fake.calls[0])).status).toBe(404);
  });
});

it('tells a host app that voice calls need the callback routes', async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [
      OtpModule.forRoot({
        hashSecret: HOST_HASH_SECRET,
        publicUrl: 'http://127.0.0.1:9/v1',
        sms: {
          provider: 'plivo',
          plivo: fake.plivoOptions(),
        },
      }),
    ],
  }).compile();
  try {
    await expect(
      moduleRef.get(OtpService).requestCode('+447400123411', { channel: 'voice' }),
    ).rejects.toMatchObject({
      code: 'channel_unavailable',
      message: expect.stringMatching(/callbackRoutes/),
    });
    expect(fake.calls).toHaveLength(0);
  } finally {
    await moduleRef.close();
  }
});

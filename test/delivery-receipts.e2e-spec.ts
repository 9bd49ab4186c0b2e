import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { OtpModule } from 'nestjs-otp-verify';
import { FakeSmsServer, type ReceivedSms } from './support/fake-sms-server.js';
import { HOST_HASH_SECRET, startHostApp, type HostPlatform } from './support/host-app.js';
import { startTestApp, startTestAppOn, type StoreKind, type TestApp } from './support/test-app.js';
import { WEBHOOK_SECRET, WebhookReceiver } from './support/webhook-receiver.js';

/** Where Plivo reaches the service: a load balancer's address, not the one the app listens on. */
const PUBLIC_URL = 'https://otp.example.test';
const CALLBACK_URL = `${PUBLIC_URL}/api/otp/callbacks/plivo/status`;

let sequence = 0;
const newNumber = (): string => `+4474015${String(++sequence).padStart(5, '0')}`;

const KINDS: StoreKind[] = ['one Redis', 'a Redis Cluster'];

describe.each(KINDS)('Plivo delivery receipts on %s', (kind) => {
  let fake: FakeSmsServer;
  let receiver: WebhookReceiver;
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    receiver = await WebhookReceiver.start();
    const env = {
      ...fake.plivoEnv(),
      OTP_PUBLIC_URL: PUBLIC_URL,
      OTP_RESEND_COOLDOWN_SECONDS: '0',
      OTP_WEBHOOK_URLS: receiver.url,
      OTP_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    t = await startTestAppOn(kind, env, { realSms: true });
    base = await t.listen();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    await fake?.stop();
  }, 60_000);

  /** A code sent through Plivo: the verification's id and the message as Plivo got it. */
  async function send(): Promise<{ id: string; sms: ReceivedSms }> {
    const phoneNumber = newNumber();
    const answer = await request(t.server).post('/api/otp/request').send({ phoneNumber });
    expect(answer.status).toBe(202);
    const sms = fake.received.findLast((received) => received.to === phoneNumber)!;
    return { id: answer.body.verificationId as string, sms };
  }
  const attemptOf = async (id: string) =>
    (await request(t.server).get(`/api/otp/verifications/${id}`).expect(200)).body.attempts[0];
  const callback = (sms: ReceivedSms, status: string, errorCode?: string) =>
    fake.plivoStatus(sms, { status, errorCode, via: base });
  const counted = async (status: string): Promise<number> => {
    const scrape = await request(t.server).get('/metrics').expect(200);
    const series = `otp_sms_delivery_status_total{provider="plivo",status="${status}",country="GB"}`;
    const line = scrape.text.split('\n').find((l) => l.startsWith(`${series} `));
    return Number(line?.split(' ')[1] ?? 0);
  };

  it('asks Plivo for receipts at the public URL, and shows delivered and undelivered in the attempts, metrics and events', async () => {
    const delivered = await send();
    expect(delivered.sms).toMatchObject({ callbackUrl: CALLBACK_URL, callbackMethod: 'POST' });
    const sent = await attemptOf(delivered.id);
    expect(sent).toEqual({
      channel: 'sms',
      provider: 'plivo',
      status: 'sent',
      at: expect.any(String),
      updatedAt: expect.any(String),
    });

    expect(await callback(delivered.sms, 'queued')).toEqual({ status: 204, body: '' });
    expect((await attemptOf(delivered.id)).status).toBe('sent');
    expect((await callback(delivered.sms, 'delivered')).status).toBe(204);
    const shown = await attemptOf(delivered.id);
    expect(shown).toMatchObject({ provider: 'plivo', status: 'delivered', at: sent.at });
    expect(shown).not.toHaveProperty('errorCode');
    const event = await receiver.next('verification.delivered', delivered.id);
    expect(event.data).toMatchObject({ verificationId: delivered.id, status: 'pending' });
    expect((event.data.attempts as object[])[0]).toMatchObject({ status: 'delivered' });

    const undelivered = await send();
    expect((await callback(undelivered.sms, 'undelivered', '30')).status).toBe(204);
    expect(await attemptOf(undelivered.id)).toMatchObject({
      status: 'undelivered',
      errorCode: '30',
    });
    const told = await receiver.next('verification.undelivered', undelivered.id);
    expect((told.data.attempts as object[])[0]).toMatchObject({ status: 'undelivered' });

    const failed = await send();
    expect((await callback(failed.sms, 'failed', '200')).status).toBe(204);
    expect(await attemptOf(failed.id)).toMatchObject({ status: 'failed', errorCode: '200' });
    await receiver.next('verification.undelivered', failed.id);

    expect(await counted('delivered')).toBe(1);
    expect(await counted('undelivered')).toBe(1);
    expect(await counted('failed')).toBe(1);
  });

  it('keeps whatever is final: a late delivered, a replay or a sent changes nothing and tells nothing', async () => {
    const { id, sms } = await send();
    expect((await callback(sms, 'undelivered', '30')).status).toBe(204);
    await receiver.next('verification.undelivered', id);
    const before = await attemptOf(id);
    const counts = [await counted('delivered'), await counted('undelivered')];
    for (const late of ['delivered', 'undelivered', 'sent', 'queued']) {
      expect((await callback(sms, late)).status).toBe(204);
    }
    expect(await attemptOf(id)).toEqual(before);
    expect([await counted('delivered'), await counted('undelivered')]).toEqual(counts);

    const other = await send();
    expect((await callback(other.sms, 'delivered')).status).toBe(204);
    await receiver.next('verification.delivered', other.id);
    expect((await callback(other.sms, 'sent')).status).toBe(204);
    expect((await callback(other.sms, 'failed', '200')).status).toBe(204);
    expect(await attemptOf(other.id)).toMatchObject({ status: 'delivered' });
    expect(await attemptOf(other.id)).not.toHaveProperty('errorCode');

    await sleep(500);
    const about = (verificationId: string) =>
      receiver.events.filter((e) => e.data.verificationId === verificationId).map((e) => e.type);
    expect(about(id)).toEqual(['verification.pending', 'verification.undelivered']);
    expect(about(other.id)).toEqual(['verification.pending', 'verification.delivered']);
  });

  it('refuses an unsigned, a wrongly signed and an other-URL-signed callback with 403, changing nothing', async () => {
    const { id, sms } = await send();
    const before = await attemptOf(id);
    const forgeries = [
      { signed: false as const },
      { signed: { authToken: 'not-the-plivo-auth-token' } },
      // Signed for the address the request reached, which the Host header would tell.
      { signed: { url: `${base}/api/otp/callbacks/plivo/status` } },
      { signed: { url: 'https://attacker.example/api/otp/callbacks/plivo/status' } },
    ];
    for (const forgery of forgeries) {
      const answer = await fake.plivoStatus(sms, { status: 'delivered', via: base, ...forgery });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({
        statusCode: 403,
        code: 'invalid_signature',
        message: expect.any(String),
      });
    }
    expect(await attemptOf(id)).toEqual(before);
    await sleep(300);
    expect(receiver.events.filter((e) => e.data.verificationId === id)).toHaveLength(1);
  });

  it('answers 204 to a signed receipt for a message it does not know, and changes nothing', async () => {
    const { id, sms } = await send();
    const stranger = { ...sms, messageId: '00000000-0000-4000-8000-000000000000' };
    expect((await callback(stranger, 'delivered')).status).toBe(204);
    expect((await attemptOf(id)).status).toBe('sent');
  });

  it('takes forms on the callback route alone, within its limit', async () => {
    const form = 'phoneNumber=%2B447401599999';
    for (const path of ['/api/otp/request', '/api/otp/verify']) {
      const answer = await request(t.server)
        .post(path)
        .set('content-type', 'application/x-www-form-urlencoded')
        .send(form);
      expect(answer.status).toBe(415);
      expect(answer.body.code).toBe('unsupported_media_type');
    }
    const route = '/api/otp/callbacks/plivo/status';
    const json = await request(t.server).post(route).send({ MessageUUID: 'x', Status: 'sent' });
    expect(json.status).toBe(415);
    const huge = await request(t.server)
      .post(route)
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(`Status=${'x'.repeat(9 * 1024)}`);
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('payload_too_large');
  });
});

describe('an SMS that did not arrive, with OTP_VOICE_FALLBACK=undelivered', () => {
  let fake: FakeSmsServer;
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    const env = {
      ...fake.plivoEnv(),
      OTP_PUBLIC_URL: PUBLIC_URL,
      OTP_RESEND_COOLDOWN_SECONDS: '0',
      OTP_VOICE_FALLBACK: 'undelivered',
    };
    t = await startTestApp({ realSms: true, env });
    base = await t.listen();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  const send = async (phoneNumber: string) => {
    const answer = await request(t.server).post('/api/otp/request').send({ phoneNumber });
    expect(answer.status).toBe(202);
    const sms = fake.received.findLast((received) => received.to === phoneNumber)!;
    return { id: answer.body.verificationId as string, sms };
  };
  const callback = (sms: ReceivedSms, status: string) =>
    fake.plivoStatus(sms, { status, via: base });

  it('is followed by one call while its code is pending, and the SMS keeps its own attempt', async () => {
    const phoneNumber = newNumber();
    const { id, sms } = await send(phoneNumber);
    expect((await callback(sms, 'undelivered')).status).toBe(204);
    expect(fake.calls.map((call) => call.to)).toEqual([phoneNumber.slice(1)]);
    const shown = await request(t.server).get(`/api/otp/verifications/${id}`).expect(200);
    expect(shown.body.attempts).toEqual([
      expect.objectContaining({ channel: 'sms', provider: 'plivo', status: 'undelivered' }),
      expect.objectContaining({ channel: 'voice', provider: 'plivo', status: 'sent' }),
    ]);
    // A replay or a later final status calls no one again.
    for (const late of ['undelivered', 'failed']) {
      expect((await callback(sms, late)).status).toBe(204);
    }
    expect(fake.calls).toHaveLength(1);
  });

  it('calls no one for a delivered SMS, nor for a code no longer pending', async () => {
    const calls = fake.calls.length;
    const delivered = await send(newNumber());
    expect((await callback(delivered.sms, 'delivered')).status).toBe(204);
    const canceled = await send(newNumber());
    await request(t.server).post(`/api/otp/verifications/${canceled.id}/cancel`).expect(200);
    expect((await callback(canceled.sms, 'failed')).status).toBe(204);
    expect(fake.calls).toHaveLength(calls);
  });
});

describe('the callback route with API keys', () => {
  const KEY = 'backend-key-of-at-least-32-characters!!';
  let fake: FakeSmsServer;
  let t: TestApp;
  let withoutUrl: TestApp;

  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    const env = { ...fake.plivoEnv(), OTP_API_KEYS: `web=${KEY}` };
    t = await startTestApp({ realSms: true, env: { ...env, OTP_PUBLIC_URL: PUBLIC_URL } });
    withoutUrl = await startTestApp({ realSms: true, env });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await withoutUrl?.close();
    await fake?.stop();
  });

  it('takes signed receipts without a key, is documented without one, and exists only with OTP_PUBLIC_URL', async () => {
    const base = await t.listen();
    const phoneNumber = newNumber();
    await request(t.server)
      .post('/api/otp/request')
      .set('authorization', `Bearer ${KEY}`)
      .send({ phoneNumber })
      .expect(202);
    const [sms] = fake.received;
    expect((await fake.plivoStatus(sms, { status: 'delivered', via: base })).status).toBe(204);

    const { paths } = (await request(t.server).get('/docs-json').expect(200)).body;
    const callback = paths['/api/otp/callbacks/plivo/status'].post;
    expect(callback.security).toBeUndefined();
    expect(Object.keys(callback.responses)).toEqual(expect.arrayContaining(['204', '403']));
    expect(paths['/api/otp/request'].post.security).toEqual([{ apiKey: [] }]);

    const absent = (await request(withoutUrl.server).get('/docs-json').expect(200)).body;
    expect(absent.paths['/api/otp/callbacks/plivo/status']).toBeUndefined();
    await request(withoutUrl.server).post('/api/otp/callbacks/plivo/status').expect(404);
  });
});

const PLATFORMS: HostPlatform[] = ['Express', 'Fastify'];

describe.each(PLATFORMS)('Plivo delivery receipts in a host app on %s', (platform) => {
  let fake: FakeSmsServer;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    const plivo = { authId: 'MAHOST', authToken: 'host-plivo-token', sender: '+14155550100' };
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            hashSecret: HOST_HASH_SECRET,
            publicUrl: 'https://host.example.test/auth',
            sms: { provider: 'plivo', plivo: { ...plivo, baseUrl: fake.url } },
            callbackRoutes: true,
          }),
        ],
      },
      undefined,
      platform,
      (host) => host.setGlobalPrefix('auth'),
    );
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await fake?.stop();
  });

  it("takes a signed receipt through the host's own form parser, and refuses forgeries and other forms", async () => {
    const phoneNumber = '+447401500001';
    const answer = await request(app.getHttpServer())
      .post('/auth/otp/request')
      .send({ phoneNumber })
      .expect(202);
    const id = answer.body.verificationId as string;
    const [sms] = fake.received;
    expect(sms.callbackUrl).toBe('https://host.example.test/auth/otp/callbacks/plivo/status');

    const unsigned = await fake.plivoStatus(sms, { status: 'delivered', via: base, signed: false });
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.body).code).toBe('invalid_signature');
    expect((await fake.plivoStatus(sms, { status: 'delivered', via: base })).status).toBe(204);
    const shown = await request(app.getHttpServer()).get(`/auth/otp/verifications/${id}`);
    expect(shown.body.attempts[0]).toMatchObject({ provider: 'plivo', status: 'delivered' });

    const form = await request(app.getHttpServer())
      .post('/auth/otp/request')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(`phoneNumber=${encodeURIComponent(phoneNumber)}`);
    expect(form.status).toBe(415);
    expect(fake.received).toHaveLength(1);
  });
});

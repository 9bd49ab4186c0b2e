import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { webhookHeaders } from '../packages/nestjs-otp-verify/src/events/webhook-signature.js';
import { codeLeak } from './support/code-leak.js';
import { STORE_KINDS, startTestApp, startTestAppOn, type TestApp } from './support/test-app.js';
import { WEBHOOK_SECRET, WebhookReceiver } from './support/webhook-receiver.js';

let sequence = 0;
const newNumber = (): string => `+4474013${String(++sequence).padStart(5, '0')}`;

describe('the signature', () => {
  it('is what the standardwebhooks package verifies, and nothing else is', () => {
    const key = Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
    const body = JSON.stringify({ type: 'verification.approved', data: { a: 1 } });
    const headers = webhookHeaders(key, 'msg_1', body);
    const webhook = new Webhook(WEBHOOK_SECRET);
    expect(webhook.verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toBe(
      webhook.sign('msg_1', new Date(Number(headers['webhook-timestamp']) * 1000), body),
    );
    expect(() => webhook.verify(body.replace('1', '2'), headers)).toThrow();
  });
});

describe.each(STORE_KINDS)('signed events on %s', (kind) => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const post = (path: string, body: object) =>
    request(t.server).post(`/api/otp/${path}`).send(body);
  const start = async (phoneNumber: string) => {
    const answer = await post('request', { phoneNumber }).expect(202);
    return { id: answer.body.verificationId as string, code: t.outbox.lastCodeFor(phoneNumber) };
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    const env: Record<string, string> = {
      OTP_RESEND_COOLDOWN_SECONDS: '0',
      OTP_MAX_ATTEMPTS: '1',
      OTP_WEBHOOK_URLS: receiver.url,
      OTP_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    t = await startTestAppOn(kind, env);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  }, 60_000);

  it('tells of a pending and an approved verification, signed, each with the verification as GET shows it', async () => {
    const phoneNumber = newNumber();
    const { id, code } = await start(phoneNumber);
    const pending = await receiver.next('verification.pending', id);
    expect(pending.data).toMatchObject({ verificationId: id, status: 'pending', phoneNumber });
    await post('verify', { phoneNumber, code }).expect(200);
    const approved = await receiver.next('verification.approved', id);
    const shown = await request(t.server).get(`/api/otp/verifications/${id}`).expect(200);
    expect(approved.data).toEqual(shown.body);
    expect(approved.id).not.toBe(pending.id);
    expect(approved.id).toMatch(/^msg_/);
    expect(JSON.stringify(receiver.events)).not.toMatch(codeLeak(code));
    expect(receiver.forged).toBe(0);
  });

  it('tells of canceled, max_attempts_reached and failed verifications', async () => {
    const canceled = await start(newNumber());
    await post(`verifications/${canceled.id}/cancel`, {}).expect(200);
    expect((await receiver.next('verification.canceled', canceled.id)).data.status).toBe(
      'canceled',
    );

    const phoneNumber = newNumber();
    const exhausted = await start(phoneNumber);
    const wrong = exhausted.code === '000000' ? '111111' : '000000';
    await post('verify', { phoneNumber, code: wrong }).expect(400);
    const maxed = await receiver.next('verification.max_attempts_reached', exhausted.id);
    expect(maxed.data).toMatchObject({ status: 'max_attempts_reached', wrongCodes: 1 });

    t.outbox.refuseNext();
    const refused = newNumber();
    await post('request', { phoneNumber: refused }).expect(502);
    const failed = await receiver.next('verification.failed');
    expect(failed.data).toMatchObject({ status: 'failed', phoneNumber: refused });
    // The status route shows it too, by the id the event named.
    const shown = await request(t.server)
      .get(`/api/otp/verifications/${String(failed.data.verificationId)}`)
      .expect(200);
    expect(shown.body.status).toBe('failed');
  });

  it('tries again after a failed delivery, with the same webhook-id', async () => {
    receiver.script(500);
    const { id } = await start(newNumber());
    const pending = await receiver.next('verification.pending', id, 20_000);
    expect(pending.deliveries).toBe(2);
    const metrics = (await request(t.server).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(
      /otp_webhook_deliveries_total\{type="verification.pending",outcome="failed"\} 1/,
    );
  }, 30_000);
});

describe('verification.expired', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({
      env: {
        OTP_TTL_SECONDS: '30',
        OTP_WEBHOOK_URLS: receiver.url,
        OTP_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it('arrives within 60 s of the deadline of a code nobody used, and the status reads expired', async () => {
    const answer = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: newNumber() })
      .expect(202);
    const id = answer.body.verificationId as string;
    const expired = await receiver.next('verification.expired', id, 60_000);
    const expiresAt = Date.parse(String(expired.data.expiresAt));
    expect(expired.timestamp * 1000).toBeGreaterThanOrEqual(expiresAt - 1000);
    expect(expired.timestamp * 1000).toBeLessThan(expiresAt + 60_000);
    expect(expired.data.status).toBe('expired');
    const shown = await request(t.server).get(`/api/otp/verifications/${id}`).expect(200);
    expect(shown.body.status).toBe('expired');
  }, 70_000);
});

describe('otp_webhook_queue_depth', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.down();
    t = await startTestApp({
      env: { OTP_WEBHOOK_URLS: receiver.url, OTP_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
  });
  afterAll(async () => t?.close());

  it('shows the events waiting while the endpoint is down', async () => {
    await request(t.server).post('/api/otp/request').send({ phoneNumber: newNumber() }).expect(202);
    const depth = async () => {
      const metrics = (await request(t.server).get('/metrics').expect(200)).text;
      return Number(/^otp_webhook_queue_depth (\d+)/m.exec(metrics)?.[1]);
    };
    const deadline = Date.now() + 25_000;
    while ((await depth()) < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await depth()).toBe(1);
  }, 30_000);
});

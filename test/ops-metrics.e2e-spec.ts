import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { SMS_DELIVERY_OBSERVER } from 'nestjs-otp-verify';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { freePort } from './support/redis-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PHONE = '+14155552671';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  });
  afterAll(async () => t?.close());

  it('counts requests and verifications by result after a flow', async () => {
    await request(t.server).post('/api/otp/request').send({ phoneNumber: PHONE }).expect(202);
    await request(t.server).post('/api/otp/request').send({ phoneNumber: 'nope' }).expect(400);
    const code = t.outbox.lastCodeFor(PHONE);
    const wrong = code === '000000' ? '111111' : '000000';
    await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: PHONE, code: wrong })
      .expect(400);
    await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: PHONE, code: '12' })
      .expect(400);
    await request(t.server)
      .post('/api/otp/verify')
      .set('Content-Type', 'application/json')
      .send('{"phoneNumber":')
      .expect(400);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber: PHONE, code }).expect(200);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber: PHONE, code }).expect(404);

    const scrape = await request(t.server).get('/metrics').expect(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const counts = Object.fromEntries(
      [
        ...scrape.text.matchAll(/^(otp_(?:requests|verifications)_total\{result="\w+"\}) (\d+)$/gm),
      ].map(([, series, value]) => [series, Number(value)]),
    );
    expect(counts).toMatchObject({
      'otp_requests_total{result="pending"}': 1,
      'otp_requests_total{result="invalid_phone_number"}': 1,
      'otp_requests_total{result="resend_cooldown"}': 0,
      'otp_verifications_total{result="otp_incorrect"}': 1,
      'otp_verifications_total{result="validation_failed"}': 2,
      'otp_verifications_total{result="approved"}': 1,
      'otp_verifications_total{result="otp_not_found"}': 1,
    });
    expect(scrape.text).toContain('otp_codes_sent_total{calling_code="1"} 1');
    expect(scrape.text).toContain('otp_codes_approved_total{calling_code="1"} 1');
    expect(scrape.text).toContain('otp_answer_duration_seconds_count{operation="request"} 2');
    expect(scrape.text).toContain('otp_answer_duration_seconds_count{operation="verify"} 5');
    expect(scrape.text).toContain('process_cpu_user_seconds_total');
    expect(scrape.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('gives the SMS layer the metrics as its delivery observer', async () => {
    const observer = t.app.get(SMS_DELIVERY_OBSERVER);
    expect(observer).toBe(t.app.get(MetricsService));
    observer.smsDelivery({ provider: 'sns', result: 'permanent', durationSeconds: 1.5 });
    const scrape = await request(t.server).get('/metrics').expect(200);
    expect(scrape.text).toContain('otp_sms_sends_total{provider="sns",result="permanent"} 1');
  });
});

describe('GET /metrics with a real SMS provider', () => {
  let fake: FakeSmsServer;
  let t: TestApp;
  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    t = await startTestApp({
      realSms: true,
      env: {
        SMS_PROVIDER: 'plivo',
        PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
        PLIVO_AUTH_TOKEN: 'plivo-token-for-metrics',
        PLIVO_SENDER: '+14155550100',
        PLIVO_BASE_URL: fake.url,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('counts and times each delivery through the provider', async () => {
    await request(t.server).post('/api/otp/request').send({ phoneNumber: PHONE }).expect(202);
    expect(fake.received).toHaveLength(1);
    const scrape = await request(t.server).get('/metrics').expect(200);
    expect(scrape.text).toContain('otp_sms_sends_total{provider="plivo",result="delivered"} 1');
    expect(scrape.text).toContain('otp_sms_send_duration_seconds_count{provider="plivo"} 1');
  });
});

describe('GET /metrics with METRICS_PORT', () => {
  let t: TestApp | undefined;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    t = await startTestApp({ env: { METRICS_PORT: String(metricsPort) } });
  });
  afterAll(async () => t?.close());

  it('serves /metrics on that port only, and not on the main one', async () => {
    await request(t!.server).post('/api/otp/request').send({ phoneNumber: PHONE }).expect(202);
    const onMain = await request(t!.server).get('/metrics').expect(404);
    expect(onMain.body).toEqual({
      statusCode: 404,
      code: 'not_found',
      message: expect.any(String),
    });

    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scrape.text()).toContain('otp_requests_total{result="pending"} 1');
    // Nothing else is served there: not the API, not the docs.
    for (const path of ['/api/otp/request', '/docs-json', '/health/live']) {
      const other = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
      expect(other.status).toBe(404);
      expect(((await other.json()) as { code: string }).code).toBe('not_found');
    }
  });

  it('stops listening when the application closes', async () => {
    await t!.close();
    t = undefined;
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});

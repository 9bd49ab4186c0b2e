import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeCaptchaServer, passToken } from './support/fake-captcha-server.js';
import { startRedisCluster, type RedisClusterUnderTest } from './support/redis-cluster.js';
import { startInstancePair, type TestApp } from './support/test-app.js';

const SITE_KEY = '0x4AAAAAAAsitekey';
const CAPTCHA_SECRET = 'captcha-secret-for-tests';
const REQUIRED = {
  statusCode: 403,
  code: 'captcha_required',
  message: expect.any(String),
  captcha: { provider: 'turnstile', siteKey: SITE_KEY },
};

let clients = 0;
/** A client address of the test's own, so the per-IP trigger starts at zero. */
const nextClient = (): string => `198.51.100.${++clients}`;
let numbers = 0;
const nextNumber = (): string => `+4474009${String(++numbers).padStart(5, '0')}`;

const requestCode = (app: TestApp, phoneNumber: string, client: string, captchaToken?: string) =>
  request(app.server)
    .post('/api/otp/request')
    .set('X-Forwarded-For', client)
    .send({ phoneNumber, ...(captchaToken !== undefined && { captchaToken }) });
function verify(app: TestApp, phoneNumber: string, code: string, captchaToken?: string) {
  return request(app.server)
    .post('/api/otp/verify')
    .set('X-Forwarded-For', '203.0.113.200')
    .send({ phoneNumber, code, ...(captchaToken !== undefined && { captchaToken }) });
}
const codeOf = (app: TestApp, phoneNumber: string): string => app.outbox.lastCodeFor(phoneNumber);

async function counts(
  app: TestApp,
  metric: string,
  label: string,
): Promise<Record<string, number>> {
  const scrape = (await request(app.server).get('/metrics').expect(200)).text;
  const found: Record<string, number> = {};
  for (const [, labels, value] of scrape.matchAll(
    new RegExp(`^${metric}\\{([^}]*)\\} (\\d+)$`, 'gm'),
  )) {
    const key = new RegExp(`${label}="([^"]+)"`).exec(labels)?.[1] ?? '';
    found[key] = (found[key] ?? 0) + Number(value);
  }
  return found;
}

/**
 * The challenge step over HTTP, against a local fake siteverify, on two instances that share
 * one store: every trigger and every code of the contract's challenge section.
 */
describe.each(['Redis', 'Redis Cluster'])('the challenge step on %s', (backend) => {
  let fake: FakeCaptchaServer;
  let cluster: RedisClusterUnderTest | undefined;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    fake = await FakeCaptchaServer.start();
    if (backend === 'Redis Cluster') cluster = await startRedisCluster();
  }, 60_000);
  afterEach(async () => {
    await Promise.allSettled(apps.splice(0).map((app) => app.close()));
    fake.reset();
  });
  afterAll(async () => {
    await fake?.stop();
    await cluster?.stop();
  }, 60_000);

  async function pair(env: Record<string, string> = {}): Promise<[TestApp, TestApp]> {
    const started = await startInstancePair(
      {
        TRUST_PROXY: 'true',
        OTP_RESEND_COOLDOWN_SECONDS: '0',
        OTP_CAPTCHA_PROVIDER: 'turnstile',
        OTP_CAPTCHA_SECRET: CAPTCHA_SECRET,
        OTP_CAPTCHA_SITE_KEY: SITE_KEY,
        OTP_CAPTCHA_VERIFY_URL: fake.verifyUrl,
        ...(cluster && { REDIS_CLUSTER_NODES: cluster.nodesEnv }),
        ...env,
      },
      'challenge',
    );
    apps.push(...started);
    return started;
  }
  const sent = () => apps.reduce((n, app) => n + app.outbox.messages.length, 0);

  it('asks nothing of a client that looks like a user', async () => {
    const [app] = await pair();
    const client = nextClient();
    for (let i = 0; i < 3; i++) await requestCode(app, nextNumber(), client).expect(202);
    expect(fake.calls).toHaveLength(0);
  });

  it('asks a client after 3 requests, sends nothing, then serves it with a token', async () => {
    const [first, second] = await pair();
    const client = nextClient();
    for (let i = 0; i < 3; i++) await requestCode(i % 2 ? first : second, nextNumber(), client);
    const phoneNumber = nextNumber();
    const asked = await requestCode(first, phoneNumber, client).expect(403);
    expect(asked.body).toEqual(REQUIRED);
    expect(sent()).toBe(3);
    const token = passToken();
    await requestCode(second, phoneNumber, client, token).expect(202);
    expect(sent()).toBe(4);
    expect(fake.calls).toEqual([{ secret: CAPTCHA_SECRET, response: token, remoteip: client }]);
    expect(await counts(first, 'otp_captcha_total', 'outcome')).toMatchObject({ required: 1 });
    expect(await counts(second, 'otp_captcha_total', 'outcome')).toMatchObject({ passed: 1 });
    expect(await counts(first, 'otp_fraud_guard_decisions_total', 'decision')).toMatchObject({
      challenged: 1,
    });
  });

  it('asks after 2 failed verifications of a number, without counting an attempt', async () => {
    const [first, second] = await pair();
    const phoneNumber = nextNumber();
    await requestCode(first, phoneNumber, nextClient()).expect(202);
    await verify(first, phoneNumber, '000000').expect(400);
    const second_ = await verify(second, phoneNumber, '000001').expect(400);
    expect(second_.body.attemptsRemaining).toBe(3);
    expect((await verify(first, phoneNumber, '000002').expect(403)).body).toEqual(REQUIRED);
    expect((await verify(second, phoneNumber, '000003').expect(403)).body).toEqual(REQUIRED);
    // No attempt was counted by the two refusals: the next wrong code leaves 2.
    const wrong = await verify(first, phoneNumber, '000004', passToken()).expect(400);
    expect(wrong.body.attemptsRemaining).toBe(2);
    await verify(second, phoneNumber, codeOf(first, phoneNumber), passToken()).expect(200);
    // A request for the number is challenged too.
    const asked = await requestCode(first, phoneNumber, nextClient()).expect(403);
    expect(asked.body).toEqual(REQUIRED);
  });

  it.each([
    ['refused by the provider', 'refuse-1'],
    ['too old', 'stale-1'],
  ])('answers 403 captcha_failed for a token %s, and sends nothing', async (_, token) => {
    const [app] = await pair({ OTP_CAPTCHA: 'always' });
    const res = await requestCode(app, nextNumber(), nextClient(), token).expect(403);
    expect(res.body).toEqual({
      statusCode: 403,
      code: 'captcha_failed',
      message: expect.any(String),
    });
    expect(sent()).toBe(0);
  });

  it('refuses a token used already, on either instance, without asking the provider again', async () => {
    const [first, second] = await pair({ OTP_CAPTCHA: 'always' });
    const token = passToken();
    await requestCode(first, nextNumber(), nextClient(), token).expect(202);
    const reused = await requestCode(second, nextNumber(), nextClient(), token).expect(403);
    expect(reused.body.code).toBe('captcha_failed');
    expect(fake.calls).toHaveLength(1);
    expect(sent()).toBe(1);
    expect(await counts(second, 'otp_captcha_total', 'outcome')).toMatchObject({ failed: 1 });
  });

  it('answers 503 captcha_unavailable when the provider is silent for 3 s, and sends nothing', async () => {
    const [app] = await pair({ OTP_CAPTCHA: 'always' });
    const started = Date.now();
    const res = await requestCode(app, nextNumber(), nextClient(), 'slow-1').expect(503);
    expect(res.body).toEqual({
      statusCode: 503,
      code: 'captcha_unavailable',
      message: expect.any(String),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(sent()).toBe(0);
    expect(await counts(app, 'otp_captcha_total', 'outcome')).toMatchObject({ unavailable: 1 });
  }, 15_000);

  it('in always mode asks every request, and a verify only on a trigger', async () => {
    const [app] = await pair({ OTP_CAPTCHA: 'always' });
    const phoneNumber = nextNumber();
    expect((await requestCode(app, phoneNumber, nextClient()).expect(403)).body).toEqual(REQUIRED);
    await requestCode(app, phoneNumber, nextClient(), passToken()).expect(202);
    await verify(app, phoneNumber, codeOf(app, phoneNumber)).expect(200);
  });

  it('challenges a quarantined prefix instead of refusing it, and an approval after counts', async () => {
    const [first, second] = await pair({
      OTP_PREFIX_DIGITS: '8',
      OTP_PREFIX_MIN_SENDS: '3',
      OTP_PREFIX_MIN_CONVERSION: '0.5',
      OTP_ADMIN_API_KEY: 'admin-key-of-at-least-thirty-two-characters',
    });
    const range = (i: number) => `+44740088${String(i).padStart(4, '0')}`;
    for (let i = 0; i < 3; i++) await requestCode(first, range(i), nextClient()).expect(202);
    const asked = await requestCode(second, range(3), nextClient()).expect(403);
    expect(asked.body).toEqual(REQUIRED);
    expect(sent()).toBe(3);
    // A verify in the quarantined prefix is challenged too; with a token it is an approval.
    const code = codeOf(first, range(0));
    expect((await verify(first, range(0), code).expect(403)).body).toEqual(REQUIRED);
    await verify(first, range(0), code, passToken()).expect(200);
    // Real users pass the challenge and verify: the range recovers by itself.
    for (let i = 3; i < 6; i++) {
      await requestCode(second, range(i), nextClient(), passToken()).expect(202);
      await verify(first, range(i), codeOf(second, range(i)), passToken()).expect(200);
    }
    await requestCode(first, range(6), nextClient()).expect(202);
    const decided = await counts(first, 'otp_fraud_guard_decisions_total', 'decision');
    const decidedToo = await counts(second, 'otp_fraud_guard_decisions_total', 'decision');
    expect((decided.quarantined ?? 0) + (decidedToo.quarantined ?? 0)).toBe(1);
    expect(decided.challenged + decidedToo.challenged).toBe(2);
    expect(decided.released).toBe(1);
    expect(decided.blocked ?? 0).toBe(0);
  });

  it('challenges once a global budget is past 80 %', async () => {
    const [app] = await pair({ OTP_GLOBAL_SEND_LIMITS: 'hour=5' });
    for (let i = 0; i < 4; i++) await requestCode(app, nextNumber(), nextClient()).expect(202);
    expect((await requestCode(app, nextNumber(), nextClient()).expect(403)).body).toEqual(REQUIRED);
    await requestCode(app, nextNumber(), nextClient(), passToken()).expect(202);
    const over = await requestCode(app, nextNumber(), nextClient(), passToken()).expect(429);
    expect(over.body.code).toBe('global_send_limit_exceeded');
    expect(sent()).toBe(5);
  });

  it('passes a reCAPTCHA v3 score at the minimum and refuses one below', async () => {
    const [app] = await pair({ OTP_CAPTCHA_PROVIDER: 'recaptcha', OTP_CAPTCHA: 'always' });
    const low = await requestCode(app, nextNumber(), nextClient(), 'score:0.3').expect(403);
    expect(low.body.code).toBe('captcha_failed');
    await requestCode(app, nextNumber(), nextClient(), 'score:0.5').expect(202);
    expect(sent()).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { codeLeak } from './support/code-leak.js';
import { STORE_KINDS, startTestApp, startTestAppOn, type TestApp } from './support/test-app.js';

let sequence = 0;
const newNumber = (): string => `+4474011${String(++sequence).padStart(5, '0')}`;
const UNKNOWN_ID = 'ver_01JEXAMPLE0000000000000000';

/** The claims of a compact JWS, unverified: the signature is another suite's subject. */
const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

describe.each(STORE_KINDS)('verifications on %s', (kind) => {
  let t: TestApp;
  const post = (path: string, body?: object) => {
    const call = request(t.server).post(`/api/otp/${path}`);
    return body === undefined ? call : call.send(body);
  };
  const status = (id: string) => request(t.server).get(`/api/otp/verifications/${id}`);
  const cancel = (id: string) => post(`verifications/${id}/cancel`);
  const start = async (phoneNumber: string) => {
    const answer = await post('request', { phoneNumber }).expect(202);
    return { id: answer.body.verificationId as string, code: t.outbox.lastCodeFor(phoneNumber) };
  };
  const wrongCodeFor = (code: string) => (code === '000000' ? '111111' : '000000');

  beforeAll(async () => {
    const env: Record<string, string> = {
      OTP_RESEND_COOLDOWN_SECONDS: '0',
      OTP_MAX_SENDS_PER_WINDOW: '1000',
      OTP_MAX_ATTEMPTS: '2',
    };
    t = await startTestAppOn(kind, env);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 60_000);

  it('names each request with an id, and shows it pending with its attempt', async () => {
    const phoneNumber = newNumber();
    const { id } = await start(phoneNumber);
    expect(id).toMatch(/^ver_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    const shown = await status(id).expect(200);
    expect(shown.body).toEqual({
      verificationId: id,
      status: 'pending',
      phoneNumber,
      country: 'GB',
      channel: 'sms',
      locale: 'en',
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      updatedAt: expect.any(String),
      wrongCodes: 0,
      test: false,
      attempts: [
        {
          channel: 'sms',
          provider: 'outbox',
          status: 'sent',
          at: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
    });
    const lifetime = Date.parse(shown.body.expiresAt) - Date.parse(shown.body.createdAt);
    expect(lifetime).toBe(300_000);
    expect(JSON.stringify(shown.body)).not.toMatch(codeLeak(t.outbox.lastCodeFor(phoneNumber)));
  });

  it('counts wrong codes, approves with the same id in the answer and the token, then refuses to cancel', async () => {
    const phoneNumber = newNumber();
    const { id, code } = await start(phoneNumber);
    await post('verify', { phoneNumber, code: wrongCodeFor(code) }).expect(400);
    expect((await status(id).expect(200)).body).toMatchObject({
      status: 'pending',
      wrongCodes: 1,
    });
    const approved = await post('verify', { phoneNumber, code }).expect(200);
    expect(approved.body.verificationId).toBe(id);
    expect(claimsOf(approved.body.verificationToken).vid).toBe(id);
    expect((await status(id).expect(200)).body.status).toBe('approved');
    const refused = await cancel(id).expect(409);
    expect(refused.body).toEqual({
      statusCode: 409,
      code: 'verification_not_pending',
      message: expect.any(String),
      status: 'approved',
    });
  });

  it('cancels the pending verification when a new code replaces it', async () => {
    const phoneNumber = newNumber();
    const first = await start(phoneNumber);
    const second = await start(phoneNumber);
    expect(second.id).not.toBe(first.id);
    expect((await status(first.id).expect(200)).body.status).toBe('canceled');
    expect((await status(second.id).expect(200)).body.status).toBe('pending');
  });

  it('cancels on request: the code stops working at once, and a second cancel is refused', async () => {
    const phoneNumber = newNumber();
    const { id, code } = await start(phoneNumber);
    const canceled = await cancel(id).expect(200);
    expect(canceled.body).toMatchObject({ verificationId: id, status: 'canceled', phoneNumber });
    const refused = await post('verify', { phoneNumber, code }).expect(404);
    expect(refused.body.code).toBe('otp_not_found');
    expect((await cancel(id).expect(409)).body.status).toBe('canceled');
  });

  it('lets exactly one of a cancel and a verify that race each other win', async () => {
    for (let round = 0; round < 5; round++) {
      const phoneNumber = newNumber();
      const { id, code } = await start(phoneNumber);
      const [canceled, verified] = await Promise.all([
        cancel(id),
        post('verify', { phoneNumber, code }),
      ]);
      const final = (await status(id).expect(200)).body.status;
      if (canceled.status === 200) {
        expect([verified.status, final]).toEqual([404, 'canceled']);
      } else {
        expect([canceled.status, canceled.body.status, verified.status, final]).toEqual([
          409,
          'approved',
          200,
          'approved',
        ]);
      }
    }
  });

  it('reaches max_attempts_reached with the last wrong code', async () => {
    const phoneNumber = newNumber();
    const { id, code } = await start(phoneNumber);
    await post('verify', { phoneNumber, code: wrongCodeFor(code) }).expect(400);
    await post('verify', { phoneNumber, code: wrongCodeFor(code) }).expect(400);
    expect((await status(id).expect(200)).body).toMatchObject({
      status: 'max_attempts_reached',
      wrongCodes: 2,
    });
    expect((await cancel(id).expect(409)).body.status).toBe('max_attempts_reached');
  });

  it('answers 404 verification_not_found for an unknown or malformed id', async () => {
    for (const id of [UNKNOWN_ID, 'ver_nope', 'x'.repeat(40)]) {
      const answer = await status(id).expect(404);
      expect(answer.body).toEqual({
        statusCode: 404,
        code: 'verification_not_found',
        message: expect.any(String),
      });
      expect((await cancel(id).expect(404)).body.code).toBe('verification_not_found');
    }
  });

  it('takes a cancel with no body or {}, and refuses another media type or field', async () => {
    const { id } = await start(newNumber());
    await post(`verifications/${id}/cancel`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('a=1')
      .expect(415);
    await post(`verifications/${id}/cancel`, { reason: 'x' }).expect(400);
    await post(`verifications/${id}/cancel`, {}).expect(200);
    const other = await start(newNumber());
    await cancel(other.id).expect(200);
  });
});

describe('verifications behind API keys', () => {
  let t: TestApp;
  const KEY = 'k'.repeat(40);
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_API_KEYS: `backend=${KEY}` } });
  });
  afterAll(async () => t?.close());

  it('needs the key for status and cancel, like the other otp routes', async () => {
    const created = await request(t.server)
      .post('/api/otp/request')
      .set('Authorization', `Bearer ${KEY}`)
      .send({ phoneNumber: newNumber() })
      .expect(202);
    const path = `/api/otp/verifications/${created.body.verificationId}`;
    await request(t.server).get(path).expect(401);
    await request(t.server).post(`${path}/cancel`).expect(401);
    await request(t.server).get(path).set('Authorization', `Bearer ${KEY}`).expect(200);
    await request(t.server)
      .post(`${path}/cancel`)
      .set('Authorization', `Bearer ${KEY}`)
      .expect(200);
  });
});

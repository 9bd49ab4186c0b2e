import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startRedisCluster, type RedisClusterUnderTest } from './support/redis-cluster.js';
import { startInstancePair, startTestApp, type TestApp } from './support/test-app.js';

let sequence = 0;
const newNumber = (): string => `+4474012${String(++sequence).padStart(5, '0')}`;
const newKey = (): string => `order-${++sequence}-${Date.now()}`;
const WEB = 'w'.repeat(40);
const BILLING = 'b'.repeat(40);

const requestWith = (app: TestApp, key: string | undefined, body: object, apiKey = WEB) => {
  const call = request(app.server)
    .post('/api/otp/request')
    .set('Authorization', `Bearer ${apiKey}`);
  return (key === undefined ? call : call.set('Idempotency-Key', key)).send(body);
};
const sentTo = (apps: TestApp[], phoneNumber: string): number =>
  apps.reduce((sum, app) => sum + app.outbox.sentTo(phoneNumber), 0);

describe.each(['one Redis', 'a Redis Cluster'])(
  'Idempotency-Key across two instances on %s',
  (kind) => {
    let cluster: RedisClusterUnderTest | undefined;
    let apps: [TestApp, TestApp];

    beforeAll(async () => {
      const env: Record<string, string> = {
        OTP_API_KEYS: `web=${WEB},billing=${BILLING}`,
        OTP_RESEND_COOLDOWN_SECONDS: '60',
      };
      if (kind === 'a Redis Cluster') {
        cluster = await startRedisCluster();
        env.REDIS_CLUSTER_NODES = cluster.nodesEnv;
      }
      apps = await startInstancePair(env, 'idem');
    }, 60_000);
    afterAll(async () => {
      await Promise.allSettled((apps ?? []).map((app) => app.close()));
      await cluster?.stop();
    }, 60_000);

    it('serves concurrent duplicates once: one SMS, one id, the rest replayed or told to wait', async () => {
      for (const app of apps) app.outbox.latencyMs = 300;
      try {
        const phoneNumber = newNumber();
        const key = newKey();
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) => requestWith(apps[i % 2], key, { phoneNumber })),
        );
        expect(sentTo(apps, phoneNumber)).toBe(1);
        const served = answers.filter((a) => a.status === 202 && !a.headers['idempotent-replayed']);
        expect(served).toHaveLength(1);
        for (const answer of answers) {
          if (answer.status === 409) {
            expect(answer.body.code).toBe('idempotency_key_in_use');
            expect(answer.headers['retry-after']).toBe('1');
          } else {
            expect(answer.status).toBe(202);
            expect(answer.body).toEqual(served[0].body);
          }
        }
        expect(answers.some((a) => a.status === 409)).toBe(true);
        // Once the first is answered, every repeat on either instance is its replay.
        for (const app of apps) {
          const again = await requestWith(app, key, {
            phoneNumber: ` ${phoneNumber.slice(0, 3)} ${phoneNumber.slice(3)}`,
          });
          expect(again.status).toBe(202);
          expect(again.headers['idempotent-replayed']).toBe('true');
          expect(again.body).toEqual(served[0].body);
        }
        expect(sentTo(apps, phoneNumber)).toBe(1);
      } finally {
        for (const app of apps) app.outbox.latencyMs = 0;
      }
    });

    it('refuses the same key with another body with 422', async () => {
      const key = newKey();
      await requestWith(apps[0], key, { phoneNumber: newNumber() }).expect(202);
      const refused = await requestWith(apps[1], key, { phoneNumber: newNumber() }).expect(422);
      expect(refused.body).toEqual({
        statusCode: 422,
        code: 'idempotency_key_reused',
        message: expect.any(String),
      });
    });

    it('keeps each caller’s keys apart', async () => {
      const key = newKey();
      const phoneNumber = newNumber();
      const web = await requestWith(apps[0], key, { phoneNumber }).expect(202);
      // The billing backend's own first use of the key: served, and refused by the cooldown.
      const billing = await requestWith(apps[1], key, { phoneNumber }, BILLING).expect(429);
      expect(billing.headers['idempotent-replayed']).toBeUndefined();
      expect(billing.body.code).toBe('resend_cooldown');
      expect(web.body.verificationId).toMatch(/^ver_/);
    });

    it('replays a 4xx as it was, counting nothing', async () => {
      const phoneNumber = newNumber();
      await requestWith(apps[0], undefined, { phoneNumber }).expect(202);
      const key = newKey();
      const first = await requestWith(apps[0], key, { phoneNumber }).expect(429);
      const again = await requestWith(apps[1], key, { phoneNumber }).expect(429);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers['retry-after']).toBe(first.headers['retry-after']);
    });

    it('frees the key after a 5xx, so a retry runs afresh', async () => {
      const phoneNumber = newNumber();
      const key = newKey();
      apps[0].outbox.refuseNext();
      await requestWith(apps[0], key, { phoneNumber }).expect(502);
      const retried = await requestWith(apps[1], key, { phoneNumber }).expect(202);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect(sentTo(apps, phoneNumber)).toBe(1);
    });

    it('refuses a malformed key before anything is sent', async () => {
      const phoneNumber = newNumber();
      const refused = await requestWith(apps[0], 'k'.repeat(256), { phoneNumber }).expect(400);
      expect(refused.body.code).toBe('validation_failed');
      expect(sentTo(apps, phoneNumber)).toBe(0);
    });
  },
);

describe('Idempotency-Key on the in-memory store', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ memory: true });
  });
  afterAll(async () => app?.close());

  it('replays the first answer per client address, with no second SMS', async () => {
    const phoneNumber = newNumber();
    const key = newKey();
    const first = await request(app.server)
      .post('/api/otp/request')
      .set('Idempotency-Key', key)
      .send({ phoneNumber })
      .expect(202);
    const again = await request(app.server)
      .post('/api/otp/request')
      .set('Idempotency-Key', key)
      .send({ phoneNumber })
      .expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(app.outbox.sentTo(phoneNumber)).toBe(1);
    // The conversion's sends count the code once, not once per answer.
    const scrape = await request(app.server).get('/metrics').expect(200);
    expect(scrape.text).toContain('otp_codes_sent_total{calling_code="44"} 1\n');
  });
});

describe('Idempotency-Key and the per-client limit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_REQUEST_LIMIT: '2' } });
  });
  afterAll(async () => app?.close());

  it('counts a replay against no limit', async () => {
    const key = newKey();
    const send = (phoneNumber: string, idempotencyKey?: string) => {
      const call = request(app.server).post('/api/otp/request');
      return (idempotencyKey ? call.set('Idempotency-Key', idempotencyKey) : call).send({
        phoneNumber,
      });
    };
    const phoneNumber = newNumber();
    await send(phoneNumber, key).expect(202);
    for (let i = 0; i < 3; i++) {
      const again = await send(phoneNumber, key).expect(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
    }
    // The first request was the only one counted: one more fits, the next does not.
    await send(newNumber()).expect(202);
    expect((await send(newNumber()).expect(429)).body.code).toBe('rate_limited');
  });
});

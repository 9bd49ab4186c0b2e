import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisCluster, type RedisClusterUnderTest } from './support/redis-cluster.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MAX_ATTEMPTS = 3;
const NUMBERS = Array.from({ length: 6 }, (_, i) => `+44740012345${i}`);

interface Answer {
  status: number;
  body: { code?: string; attemptsRemaining?: number };
}

/** One number's run: what each answer was, counted per issued code. */
interface Tally {
  answers: number;
  unavailable: number;
  issued: number;
  violations: string[];
}

const wrongCodeFor = (code: string): string =>
  String((Number(code) + 1) % 1_000_000).padStart(code.length, '0');

describe('Redis Cluster: a master fails over in the middle of a run', () => {
  let cluster: RedisClusterUnderTest;
  let t: TestApp;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    t = await startTestApp({
      env: {
        REDIS_CLUSTER_NODES: cluster.nodesEnv,
        OTP_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        OTP_RESEND_COOLDOWN_SECONDS: '0',
        OTP_MAX_SENDS_PER_WINDOW: '100000',
        OTP_LOCKOUT_THRESHOLD: '100000',
        RATE_LIMIT_REQUEST_LIMIT: '100000',
        RATE_LIMIT_VERIFY_LIMIT: '100000',
      },
    });
    await t.app.listen(0, '127.0.0.1');
    port = (t.server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await cluster?.stop();
  }, 60_000);

  let port: number;
  /** One connection per call: no keep-alive socket outlives the app. */
  const call = (path: string, payload?: object): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = payload ? JSON.stringify(payload) : undefined;
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: body ? 'POST' : 'GET',
          agent: false,
          headers: body ? { 'content-type': 'application/json' } : {},
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const post = (path: string, payload: object) => call(`/api/otp/${path}`, payload);
  const ready = async (): Promise<number> => (await call('/health/ready')).status;

  /**
   * Over and over: ask for a code, try wrong codes past the cap, then the right one; ask again,
   * one wrong code, the right one. Every answer is checked against what the store may say: an
   * answer is 503 or correct, and no code is ever tried wrong more than the cap.
   */
  async function drive(phoneNumber: string, running: () => boolean): Promise<Tally> {
    const tally: Tally = { answers: 0, unavailable: 0, issued: 0, violations: [] };
    const fail = (what: string, answer: Answer) =>
      tally.violations.push(`${phoneNumber}: ${what}: ${JSON.stringify(answer)}`);
    const note = (answer: Answer): Answer => {
      tally.answers++;
      if (answer.status === 503) {
        tally.unavailable++;
        if (answer.body.code !== 'store_unavailable') fail('a 503 of another kind', answer);
      }
      return answer;
    };
    for (let round = 0; running(); round++) {
      const sent = note(await post('request', { phoneNumber }));
      if (sent.status !== 202) {
        if (sent.status !== 503) fail('request', sent);
        continue;
      }
      tally.issued++;
      const code = t.outbox.lastCodeFor(phoneNumber);
      let incorrect = 0;
      const wrongTries = round % 2 === 0 ? MAX_ATTEMPTS + 1 : 1;
      for (let i = 0; i < wrongTries; i++) {
        const wrong = note(await post('verify', { phoneNumber, code: wrongCodeFor(code) }));
        if (wrong.body.code === 'otp_incorrect') incorrect++;
        else if (wrong.status === 200) fail('a wrong code was approved', wrong);
        else if (![404, 429, 503].includes(wrong.status)) fail('wrong code', wrong);
        if (wrong.status === 429 && wrong.body.code !== 'otp_attempts_exceeded') fail('429', wrong);
      }
      if (incorrect > MAX_ATTEMPTS) fail(`${incorrect} wrong codes counted`, sent);
      const right = note(await post('verify', { phoneNumber, code }));
      const expected = incorrect >= MAX_ATTEMPTS ? [429, 404, 503] : [200, 404, 503, 429];
      if (!expected.includes(right.status)) fail('right code', right);
    }
    return tally;
  }

  it('answers 503 or correctly while a replica takes over, then serves again without a restart', async () => {
    expect(await ready()).toBe(200);
    let running = true;
    const runs = NUMBERS.map((n) => drive(n, () => running));
    await sleep(1500);
    const killedPort = await cluster.killMasterOf(`${t.prefix}{${NUMBERS[0]}}`);
    let readiness = await ready();
    while (readiness === 200) readiness = await ready();
    await cluster.waitUntilHealthy(60_000);

    // The service itself notices the promoted replica: no reconnect, no restart.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await ready()) !== 200) await sleep(200);
    await sleep(1500);
    running = false;
    const tallies = await Promise.all(runs);

    expect(killedPort).toBeGreaterThan(0);
    expect(readiness).toBe(503);
    expect(tallies.flatMap((tally) => tally.violations)).toEqual([]);
    expect(tallies.every((tally) => tally.issued > 1)).toBe(true);
    // The run did reach the failed master's slot while it was away.
    expect(tallies[0].unavailable).toBeGreaterThan(0);

    expect(await ready()).toBe(200);
    for (const phoneNumber of NUMBERS) {
      expect((await post('request', { phoneNumber })).status).toBe(202);
      const code = t.outbox.lastCodeFor(phoneNumber);
      expect(await post('verify', { phoneNumber, code })).toEqual({
        status: 200,
        body: {
          verificationId: expect.stringMatching(/^ver_/),
          status: 'approved',
          phoneNumber,
          verificationToken: expect.any(String),
          tokenExpiresInSeconds: 600,
        },
      });
    }
  }, 90_000);
});

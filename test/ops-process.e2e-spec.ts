import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { ownKeySpace, REDIS_URL } from './support/redis.js';
import { freePort, type Spawned, spawnService, waitFor } from './support/spawn-service.js';

const STRONG_SECRET = 'process-test-secret-of-32-bytes-or-more';
const TOKEN_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

describe('the built service as a real process', () => {
  const started: Spawned[] = [];
  const start = (env: Record<string, string>): Spawned => {
    const service = spawnService(env);
    started.push(service);
    return service;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((service) => service.stop()));
  });

  describe('production guard', () => {
    it('refuses to start in production with development defaults, naming each one', async () => {
      const weakSecret = 'weak-but-still-a-secret';
      const service = start({ NODE_ENV: 'production', OTP_HASH_SECRET: weakSecret });
      expect(await service.exited).toBe(1);
      const message = service.stderr();
      expect(message).toContain('NODE_ENV=production needs REDIS_URL or REDIS_CLUSTER_NODES');
      expect(message).toContain('NODE_ENV=production needs SMS_PROVIDER');
      expect(message).toContain('NODE_ENV=production needs OTP_HASH_SECRET of at least 32 bytes');
      expect(message).toContain('NODE_ENV=production needs OTP_TOKEN_PRIVATE_KEY');
      expect(message).toContain('NODE_ENV=production needs OTP_ALLOWED_COUNTRIES');
      expect(message).toContain('NODE_ENV=production needs OTP_GLOBAL_SEND_LIMITS');
      expect(message + service.stdout()).not.toContain(weakSecret);
    });

    it('names only what is still missing', async () => {
      const service = start({
        NODE_ENV: 'production',
        REDIS_URL,
        OTP_HASH_SECRET: STRONG_SECRET,
        OTP_TOKEN_PRIVATE_KEY: TOKEN_KEY,
        OTP_ALLOWED_COUNTRIES: '*',
        SMS_PROVIDER: 'console',
      });
      expect(await service.exited).toBe(1);
      expect(service.stderr()).toContain('needs SMS_PROVIDER');
      expect(service.stderr()).not.toContain('REDIS_URL');
      expect(service.stderr()).not.toContain('OTP_HASH_SECRET');
      expect(service.stderr()).not.toContain('OTP_ALLOWED_COUNTRIES');
      expect(service.stderr()).toContain('needs OTP_GLOBAL_SEND_LIMITS');
      expect(service.stderr() + service.stdout()).not.toContain(STRONG_SECRET);
    });
  });

  describe('start-up', () => {
    it('says in one line where it listens, where the docs are, and which store and provider it chose', async () => {
      const port = await freePort();
      const service = start({
        PORT: String(port),
        REDIS_URL,
        OTP_HASH_SECRET: STRONG_SECRET,
        SMS_PROVIDER: 'plivo',
        SMS_FALLBACK_PROVIDER: 'console',
        PLIVO_AUTH_ID: 'MASTARTUPACCOUNT',
        PLIVO_AUTH_TOKEN: 'plivo-token-for-startup',
        PLIVO_SENDER: '+14155550100',
      });
      await waitFor(async () => service.stdout().includes('Listening on'));
      const line = service
        .stdout()
        .split('\n')
        .find((text) => text.includes('Listening on')) as string;
      expect(JSON.parse(line).msg).toBe(
        `Listening on 0.0.0.0:${port}; docs at http://localhost:${port}/docs; store: redis; SMS provider: plivo (fallback console)`,
      );
      const output = service.stdout() + service.stderr();
      for (const secret of [STRONG_SECRET, 'plivo-token-for-startup']) {
        expect(output).not.toContain(secret);
      }
    });

    it('serves /metrics on METRICS_PORT alone and warns of its test numbers, masked', async () => {
      const [port, metricsPort] = [await freePort(), await freePort()];
      const service = start({
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        REDIS_URL,
        OTP_HASH_SECRET: STRONG_SECRET,
        OTP_TEST_NUMBERS: '+447400000001=123456',
      });
      await waitFor(async () => service.stdout().includes('Listening on'));
      const lines = service
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text) as { level: number; msg: string });
      expect(lines.find((line) => line.msg.startsWith('Listening on'))?.msg).toContain(
        `metrics at http://localhost:${metricsPort}/metrics only`,
      );
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(/^1 test number\(s\) configured \(\+44\*{6}0001\)/),
        }),
      );
      expect(service.stdout() + service.stderr()).not.toContain('123456');
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain('otp_requests_total');
    });
  });

  describe('SIGTERM', () => {
    const { prefix, release } = ownKeySpace('sigterm');
    let fake: FakeSmsServer;
    beforeAll(async () => {
      fake = await FakeSmsServer.start();
    });
    afterAll(async () => {
      await fake?.stop();
      await release();
    });

    it('starts in production, finishes a request in flight, refuses new ones, and exits 0', async () => {
      const port = await freePort();
      const service = start({
        PORT: String(port),
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        OTP_HASH_SECRET: STRONG_SECRET,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        OTP_TOKEN_PRIVATE_KEY: TOKEN_KEY,
        OTP_ALLOWED_COUNTRIES: '*',
        OTP_GLOBAL_SEND_LIMITS: 'unlimited',
        SMS_PROVIDER: 'plivo',
        PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
        PLIVO_AUTH_TOKEN: 'plivo-token-for-shutdown',
        PLIVO_SENDER: '+14155550100',
        PLIVO_BASE_URL: fake.url,
      });
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 200);

      // "Expect: 100-continue" makes the server confirm it has taken the request before the
      // body is sent, so the request is provably in flight when SIGTERM arrives.
      const body = JSON.stringify({ phoneNumber: '+14155552671' });
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.write(
        'POST /api/otp/request HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
      );
      await waitFor(async () => answer.includes('100 Continue'));

      service.child.kill('SIGTERM');
      // New requests are turned away (503, or refused once the listener is closed) ...
      await waitFor(async () => {
        const probe = await fetch(`${base}/health/live`).catch(() => undefined);
        return probe === undefined || probe.status === 503;
      });
      // ... while the one in flight still gets its full answer, Redis included.
      socket.write(body);
      await once(socket, 'close');
      expect(answer).toMatch(/HTTP\/1\.1 202 Accepted/);
      expect(JSON.parse(answer.slice(answer.indexOf('{')))).toMatchObject({
        status: 'pending',
        phoneNumber: '+14155552671',
      });

      expect(fake.received.map((sms) => sms.to)).toEqual(['+14155552671']);
      expect(await service.exited).toBe(0);
      expect(() => process.kill(service.child.pid!, 0)).toThrow();
    });
  });
});

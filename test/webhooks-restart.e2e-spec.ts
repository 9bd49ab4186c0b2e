import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deleteKeys, ownKeySpace, REDIS_URL } from './support/redis.js';
import { freePort, type Spawned, spawnService, waitFor } from './support/spawn-service.js';
import { WEBHOOK_SECRET, WebhookReceiver } from './support/webhook-receiver.js';

/**
 * An event that waits in Redis survives its instance: emitted while the endpoint is down, by an
 * instance that is then killed, it is delivered, signed, by another once the endpoint is back.
 */
describe('webhooks across a killed instance', () => {
  const space = ownKeySpace('hooks');
  const started: Spawned[] = [];
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.down();
  });
  afterAll(async () => {
    await Promise.all(started.map((service) => service.stop()));
    await receiver?.stop();
    await deleteKeys(space.redis, space.prefix);
    // BullMQ's keys sit under the prefix too, behind its hash tag.
    await space.release();
  });

  const startService = async (): Promise<string> => {
    const port = await freePort();
    const service = spawnService({
      PORT: String(port),
      REDIS_URL,
      REDIS_KEY_PREFIX: space.prefix,
      OTP_HASH_SECRET: 'restart-test-secret-of-32-bytes-or-more',
      OTP_WEBHOOK_URLS: receiver.url,
      OTP_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
    });
    started.push(service);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 200);
    return base;
  };

  it('delivers the event of a killed instance once the endpoint is back', async () => {
    const first = await startService();
    const answer = await fetch(`${first}/api/otp/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '+447400140001' }),
    });
    expect(answer.status).toBe(202);
    const { verificationId } = (await answer.json()) as { verificationId: string };
    // The 202 came after the event was queued; the endpoint refused the first delivery.
    await started[0].stop();

    await receiver.listen();
    await startService();
    const pending = await receiver.next('verification.pending', verificationId, 60_000);
    expect(pending.data).toMatchObject({ verificationId, status: 'pending' });
    expect(receiver.forged).toBe(0);
  }, 90_000);
});

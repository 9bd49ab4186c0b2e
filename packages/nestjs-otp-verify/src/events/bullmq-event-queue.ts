import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import type { OtpRedisOptions } from '../otp-options.js';
import type { OtpEventHandlers, OtpEventQueue, WebhookDelivery } from './otp-event.js';
import { attemptsWithin, retryDelayMs } from './retry-schedule.js';

const QUEUE = 'otp-webhooks';
const DELIVER = 'deliver';
const EXPIRE = 'expire';
/** A code's deadline and Redis's clock may differ from this host's by a moment. */
const EXPIRY_MARGIN_MS = 2000;

/** Where BullMQ writes: the service's prefix, and one hash tag, so its scripts run on a cluster. */
export const webhookQueuePrefix = (keyPrefix: string): string => `${keyPrefix}{webhooks}`;

/**
 * BullMQ needs connections of its own: its worker blocks on one, and both want ioredis to wait
 * through a reconnection (`maxRetriesPerRequest: null`) rather than fail fast as the store does.
 */
function connectionFor(options: OtpRedisOptions): Redis | Cluster {
  const patient = { maxRetriesPerRequest: null };
  if ('url' in options) return new Redis(options.url, patient);
  if ('clusterNodes' in options)
    return new Cluster(options.clusterNodes, { redisOptions: patient });
  const { client } = options;
  if (client instanceof Cluster) {
    return client.duplicate(undefined, {
      redisOptions: { ...client.options.redisOptions, ...patient },
    });
  }
  return client.duplicate(patient);
}

/**
 * Events wait in Redis, not in a process: each delivery is a job that any instance's worker
 * takes, retried on the contract's schedule; a job an instance held when it died is taken up
 * again by another once BullMQ sees it stalled. An expiry is a delayed job, so no key is scanned.
 * `bullmq` is loaded only here, when webhooks are configured: it is an optional peer dependency.
 */
export async function openBullmqEventQueue(
  redis: OtpRedisOptions,
  keyPrefix: string,
  retryHours: number,
  handlers: OtpEventHandlers,
): Promise<OtpEventQueue> {
  const { Queue, Worker } = await import('bullmq').catch(() => {
    throw new Error('OtpModule option webhooks needs the bullmq package: npm install bullmq');
  });
  const logger = new Logger('OtpWebhooks');
  const prefix = webhookQueuePrefix(keyPrefix);
  const attempts = attemptsWithin(retryHours);
  const queueConnection = connectionFor(redis);
  const workerConnection = connectionFor(redis);
  const queue = new Queue(QUEUE, { connection: queueConnection, prefix });
  const worker = new Worker(
    QUEUE,
    async (job) => {
      if (job.name === EXPIRE) return handlers.onExpiry(job.data.verificationId as string);
      return handlers.send(job.data as WebhookDelivery);
    },
    {
      connection: workerConnection,
      prefix,
      concurrency: 8,
      // A delivery takes 5 s at most, so a lock this short still holds; a job whose instance
      // died is seen stalled within about half a minute and handed to another, and again if
      // that one dies too.
      lockDuration: 15_000,
      stalledInterval: 10_000,
      maxStalledCount: 5,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
    },
  );
  worker.on('failed', (job) => {
    if (job && job.name === DELIVER && job.attemptsMade >= attempts) {
      handlers.dropped(job.data as WebhookDelivery);
    }
  });
  // Connection errors are retried by ioredis; a listener keeps them from crashing the process.
  const warn = (error: Error) => logger.warn(`Webhook queue: ${error.message}`);
  queue.on('error', warn);
  worker.on('error', warn);
  return {
    async deliver(deliveries) {
      await queue.addBulk(
        // One call holds one event's copies, one per endpoint; BullMQ refuses ':' in an id.
        deliveries.map((delivery, endpoint) => ({
          name: DELIVER,
          data: delivery,
          opts: {
            jobId: `${delivery.eventId}-${endpoint}`,
            attempts,
            backoff: { type: 'custom' },
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
    },
    async expireAt(verificationId, atMs) {
      await queue.add(
        EXPIRE,
        { verificationId },
        {
          jobId: `${EXPIRE}-${verificationId}`,
          delay: Math.max(atMs - Date.now(), 0) + EXPIRY_MARGIN_MS,
          attempts: 5,
          backoff: { type: 'custom' },
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    },
    depth: () => queue.count(),
    async close() {
      await worker.close();
      await queue.close();
      for (const connection of [queueConnection, workerConnection]) connection.disconnect();
    },
  };
}

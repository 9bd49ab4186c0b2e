import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import type { OtpRedisOptions } from '../otp-options.js';
import type { OtpEventHandlers, OtpEventQueue, WebhookDelivery } from './otp-event.js';
import { attemptsWithin, retryDelayMs } from './retry-schedule.js';

const DELIVERIES = 'otp-webhooks';
const DEADLINES = 'otp-code-deadlines';
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
  const connections = [connectionFor(redis), connectionFor(redis), connectionFor(redis)];
  const [queueConnection, ...workerConnections] = connections;
  // Deliveries and the code deadlines wait in queues of their own: the depth the metrics show
  // is events to deliver, not one timer per pending code.
  const queue = new Queue(DELIVERIES, { connection: queueConnection, prefix });
  const deadlines = new Queue(DEADLINES, { connection: queueConnection, prefix });
  const worker = (name: string, connection: Redis | Cluster, run: (data: never) => Promise<void>) =>
    new Worker(name, (job) => run(job.data as never), {
      connection,
      prefix,
      concurrency: 8,
      // A delivery takes 5 s at most, so a lock this short still holds; a job whose instance
      // died is seen stalled within about half a minute and handed to another, and again if
      // that one dies too.
      lockDuration: 15_000,
      stalledInterval: 10_000,
      maxStalledCount: 5,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
    });
  const workers = [
    worker(DELIVERIES, workerConnections[0], (delivery: WebhookDelivery) =>
      handlers.send(delivery),
    ),
    worker(DEADLINES, workerConnections[1], ({ verificationId }: { verificationId: string }) =>
      handlers.onExpiry(verificationId),
    ),
  ];
  workers[0].on('failed', (job) => {
    if (job && job.attemptsMade >= attempts) handlers.dropped(job.data as WebhookDelivery);
  });
  // Connection errors are retried by ioredis; a listener keeps them from crashing the process.
  const warn = (error: Error) => logger.warn(`Webhook queue: ${error.message}`);
  for (const emitter of [queue, deadlines]) emitter.on('error', warn);
  for (const emitter of workers) emitter.on('error', warn);
  return {
    async deliver(deliveries) {
      await queue.addBulk(
        // One call holds one event's copies, one per endpoint; BullMQ refuses ':' in an id.
        deliveries.map((delivery, endpoint) => ({
          name: 'deliver',
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
      await deadlines.add(
        'expire',
        { verificationId },
        {
          jobId: verificationId,
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
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([queue.close(), deadlines.close()]);
      for (const connection of connections) connection.disconnect();
    },
  };
}

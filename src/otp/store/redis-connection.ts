import { Inject } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { OtpRedisOptions } from '../otp-options.js';

export const OTP_REDIS = Symbol('OTP_REDIS');
export const InjectOtpRedis = (): ParameterDecorator => Inject(OTP_REDIS);

export type RedisClient = Redis | Cluster;

/**
 * Fail fast rather than queue: while Redis is away a verification should answer 503 within a
 * moment, not hang until a client gives up. Reconnection goes on in the background, so the
 * service recovers by itself when Redis is back.
 */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 1000,
  commandTimeout: 1500,
  retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
};

export function createRedisClient(options: OtpRedisOptions): RedisClient {
  if ('client' in options) return options.client;
  if ('clusterNodes' in options) {
    return new Cluster(options.clusterNodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      redisOptions: FAIL_FAST,
    });
  }
  return new Redis(options.url, FAIL_FAST);
}

/** Resolves once the client is ready, or after `timeoutMs` either way: start-up must not hang. */
export function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.once('ready', onReady);
  });
}

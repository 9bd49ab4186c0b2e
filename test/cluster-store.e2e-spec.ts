import type { Cluster } from 'ioredis';
import { RedisFraudStore } from '../packages/nestjs-otp-verify/src/fraud/redis-fraud.store.js';
import { RedisOtpStore } from '../packages/nestjs-otp-verify/src/store/redis-otp.store.js';
import {
  createRedisClient,
  waitUntilReady,
} from '../packages/nestjs-otp-verify/src/store/redis-connection.js';
import { describeFraudStoreContract } from './support/fraud-store-contract.js';
import { describeOtpStoreContract } from './support/otp-store-contract.js';
import { uniquePrefix } from './support/redis.js';
import { deleteClusterKeys, startRedisCluster } from './support/redis-cluster.js';

/** A store of its own on a cluster of its own (3 masters, 3 replicas), and its clean-up. */
async function onOwnCluster<S>(build: (client: Cluster, prefix: string) => S) {
  const cluster = await startRedisCluster();
  const prefix = uniquePrefix('cluster');
  const client = createRedisClient({ clusterNodes: cluster.seeds }) as Cluster;
  client.on('error', () => undefined);
  try {
    if (!(await waitUntilReady(client, 10_000))) throw new Error('the cluster client is not ready');
  } catch (error) {
    client.disconnect();
    await cluster.stop();
    throw error;
  }
  return {
    store: build(client, prefix),
    cleanup: async () => {
      try {
        await deleteClusterKeys(cluster.nodesEnv, prefix);
      } finally {
        client.disconnect();
        await cluster.stop();
      }
    },
  };
}

describeOtpStoreContract('redis cluster (3 masters, 3 replicas)', () =>
  onOwnCluster((client, prefix) => new RedisOtpStore(client, prefix)),
);

describeFraudStoreContract('redis cluster: a send whose counters span slots', () =>
  onOwnCluster((client, prefix) => new RedisFraudStore(client, prefix, 6)),
);

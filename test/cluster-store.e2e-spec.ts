import type { Cluster } from 'ioredis';
import { RedisOtpStore } from '../packages/nestjs-otp-verify/src/store/redis-otp.store.js';
import { createRedisClient, waitUntilReady } from '../packages/nestjs-otp-verify/src/store/redis-connection.js';
import { describeOtpStoreContract } from './support/otp-store-contract.js';
import { uniquePrefix } from './support/redis.js';
import { deleteClusterKeys, startRedisCluster } from './support/redis-cluster.js';

describeOtpStoreContract('redis cluster (3 masters, 3 replicas)', async () => {
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
    store: new RedisOtpStore(client, prefix),
    cleanup: async () => {
      try {
        await deleteClusterKeys(cluster.nodesEnv, prefix);
      } finally {
        client.disconnect();
        await cluster.stop();
      }
    },
  };
});

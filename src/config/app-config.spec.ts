import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadAppConfig } from './app-config.js';

describe('loadAppConfig: where Redis is', () => {
  it('maps REDIS_CLUSTER_NODES to cluster seeds', () => {
    const config = loadAppConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' });
    expect(config.otp.redis).toEqual({
      clusterNodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
      keyPrefix: 'otp:',
    });
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, naming both', () => {
    const load = () =>
      loadAppConfig({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/REDIS_URL.*REDIS_CLUSTER_NODES/);
  });

  it('refuses a seed without a port', () => {
    expect(() => loadAppConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(
      /REDIS_CLUSTER_NODES must be host:port/,
    );
  });
});

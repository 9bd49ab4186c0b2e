import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { promtool, readAlertRules } from '../test/support/monitoring.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface ComposeService {
  profiles?: string[];
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
}

const readYaml = <T>(path: string): T => parse(readFileSync(ROOT + path, 'utf8')) as T;
const { services } = readYaml<{ services: Record<string, ComposeService> }>('docker-compose.yml');

/** `./host:/container:ro` bind mounts as [host path from the root, container path]. */
const mounts = (service: ComposeService): [string, string][] =>
  (service.volumes ?? []).map((volume) => {
    const [host, container] = volume.split(':');
    return [posix.normalize(host), container];
  });

describe('the monitoring profile of docker-compose.yml', () => {
  it('adds Prometheus and Grafana only when asked for', () => {
    const profiled = Object.entries(services)
      .filter(([, service]) => service.profiles !== undefined)
      .map(([name, service]) => [name, service.profiles]);
    expect(profiled).toEqual([
      ['prometheus', ['monitoring']],
      ['grafana', ['monitoring']],
    ]);
    expect(services.otp.profiles).toBeUndefined();
  });

  it('mounts files that exist, and publishes its ports on loopback only', () => {
    for (const name of ['prometheus', 'grafana']) {
      for (const [host] of mounts(services[name])) {
        expect([host, existsSync(ROOT + host)]).toEqual([host, true]);
      }
      for (const port of services[name].ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('gives Prometheus a valid configuration that loads the alert rules and scrapes job otp', async () => {
    const inContainer = Object.fromEntries(mounts(services.prometheus));
    const config = 'deploy/prometheus/prometheus.yml';
    const rules = 'deploy/prometheus/otp-alerts.yml';
    // The configuration names its rule file relative to itself: true here and in the container.
    expect(posix.dirname(inContainer[config])).toBe(posix.dirname(inContainer[rules]));
    const parsed = readYaml<{ rule_files: string[]; scrape_configs: { job_name: string }[] }>(
      config,
    );
    expect(parsed.rule_files).toEqual([posix.basename(rules)]);
    expect(parsed.scrape_configs.map((job) => job.job_name)).toEqual(['otp']);
    const jobs = readAlertRules()
      .flatMap((group) => group.rules)
      .flatMap((rule) => [...rule.expr.matchAll(/job="([^"]+)"/g)].map(([, job]) => job));
    expect(new Set(jobs)).toEqual(new Set(['otp']));
    const output = await promtool('check', 'config', ROOT + config);
    expect(output).toContain('valid prometheus config file syntax');
    expect(output).toContain(`SUCCESS: ${readAlertRules().flatMap((g) => g.rules).length} rules`);
  });

  it('provisions Grafana with the Prometheus service and the committed dashboard', () => {
    const inContainer = Object.fromEntries(mounts(services.grafana));
    const provisioning = inContainer['deploy/grafana/provisioning'];
    expect(provisioning).toBe('/etc/grafana/provisioning');
    const { datasources } = readYaml<{ datasources: { url: string; isDefault: boolean }[] }>(
      'deploy/grafana/provisioning/datasources/prometheus.yml',
    );
    expect(datasources).toEqual([
      expect.objectContaining({ url: 'http://prometheus:9090', isDefault: true }),
    ]);
    const { providers } = readYaml<{ providers: { options: { path: string } }[] }>(
      'deploy/grafana/provisioning/dashboards/otp.yml',
    );
    const dashboard = inContainer['deploy/grafana/otp-dashboard.json'];
    expect(providers.map((provider) => provider.options.path)).toEqual([posix.dirname(dashboard)]);
    expect(services.grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboard);
  });
});

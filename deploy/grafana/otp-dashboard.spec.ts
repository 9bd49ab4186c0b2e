import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DASHBOARD, dashboardQueries, promtool } from '../../test/support/monitoring.js';
import { renderOtpDashboard } from './otp-dashboard.js';

describe('the Grafana dashboard', () => {
  it('is committed as its generator makes it (npm run dashboard)', () => {
    expect(readFileSync(DASHBOARD, 'utf8')).toBe(renderOtpDashboard());
  });

  // promtool parses PromQL only inside rules: each query becomes a recording rule it checks.
  it('asks Prometheus only queries that parse', async () => {
    const queries = dashboardQueries();
    const dir = mkdtempSync(join(tmpdir(), 'otp-dashboard-'));
    try {
      const rules = queries.map(({ expr }, index) => ({
        record: `dashboard:query_${index}`,
        expr,
      }));
      writeFileSync(
        join(dir, 'queries.yml'),
        stringify({ groups: [{ name: 'dashboard', rules }] }),
      );
      expect(await promtool('check', 'rules', join(dir, 'queries.yml'))).toContain(
        `SUCCESS: ${queries.length} rules found`,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

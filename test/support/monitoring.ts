import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

export const ALERT_RULES = fileURLToPath(
  new URL('../../deploy/prometheus/otp-alerts.yml', import.meta.url),
);

export interface AlertRule {
  alert: string;
  expr: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

export interface AlertGroup {
  name: string;
  rules: AlertRule[];
}

export function readAlertRules(file = ALERT_RULES): AlertGroup[] {
  return (parse(readFileSync(file, 'utf8')) as { groups: AlertGroup[] }).groups;
}

/** Words of PromQL that stand where a metric name could: aggregations' clauses and set operators. */
const KEYWORDS = new Set(
  'by without on ignoring group_left group_right bool and or unless offset inf nan'.split(' '),
);

/**
 * The metric names a PromQL expression reads. Label matchers, label lists, ranges and strings are
 * cut out first; what is left that is neither a function (followed by `(`) nor a keyword is a name.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter(([word, , call]) => !call && !KEYWORDS.has(word.toLowerCase()))
    .map(([word]) => word);
  return [...new Set(names)];
}

/** promtool from Debian's `prometheus` package; its absence fails the run, it is not a skip. */
export async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args);
    return stdout + stderr;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(
        'promtool is not on the PATH: install it (Debian: apt-get install -y prometheus)',
        { cause: error },
      );
    }
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout}${failure.stderr}`, {
      cause: error,
    });
  }
}

export const DASHBOARD = fileURLToPath(
  new URL('../../deploy/grafana/otp-dashboard.json', import.meta.url),
);

interface DashboardJson {
  panels: { title: string; targets?: { expr: string }[] }[];
}

/** Every PromQL query of the committed dashboard, with Grafana's interval variable filled in. */
export function dashboardQueries(file = DASHBOARD): { panel: string; expr: string }[] {
  const { panels } = JSON.parse(readFileSync(file, 'utf8')) as DashboardJson;
  return panels.flatMap(({ title, targets = [] }) =>
    targets.map(({ expr }) => ({ panel: title, expr: expr.replaceAll('$__rate_interval', '5m') })),
  );
}

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePort, spawnProcess, waitFor } from './spawn-service.js';

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
    // Durations outside a range (`offset 15m`) would leave their unit behind as a word.
    .replace(/\b\d+(?:ms|[smhdwy])\b/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter(([word, , call]) => !call && !KEYWORDS.has(word.toLowerCase()))
    .map(([word]) => word);
  return [...new Set(names)];
}

/**
 * The labels a PromQL expression reads: those matched in each selector (`metric{label="..."}`),
 * and those it groups by (`by (label)`, `without (label)`), which belong to no one metric.
 */
export function labelsReadIn(expr: string): {
  matched: { metric: string; label: string }[];
  grouped: string[];
} {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const matched = [...bare.matchAll(/([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g)].flatMap(
    ([, metric, matchers]) =>
      [...matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map(([, label]) => ({
        metric,
        label,
      })),
  );
  const grouped = [...bare.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap(([, labels]) =>
    labels.split(',').map((label) => label.trim()),
  );
  return { matched, grouped: [...new Set(grouped)] };
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

export interface PrometheusUnderTest {
  url: string;
  /** An instant query's result vector (or scalar) as Prometheus answers it. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The loaded rule groups, each rule with its health (`ok`, `err`, `unknown`) and last error. */
  rules(): Promise<
    { name: string; rules: { name: string; health: string; lastError?: string }[] }[]
  >;
  stop(): Promise<void>;
}

async function prometheusApi<T>(url: string): Promise<T> {
  const answer = (await (await fetch(url)).json()) as { status: string; data: T; error?: string };
  if (answer.status !== 'success') throw new Error(`Prometheus: ${answer.error}`);
  return answer.data;
}

/**
 * Debian's Prometheus (the package that brings promtool) on loopback, scraping `target` as job
 * "otp" every second and evaluating the alert rules every second, its data in a folder of its own.
 */
export async function startPrometheus(target: string): Promise<PrometheusUnderTest> {
  await promisify(execFile)('prometheus', ['--version']).catch((error: unknown) => {
    throw new Error(
      'prometheus is not on the PATH: install it (Debian: apt-get install -y prometheus)',
      { cause: error },
    );
  });
  const dir = mkdtempSync(join(tmpdir(), 'otp-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [ALERT_RULES],
      scrape_configs: [{ job_name: 'otp', static_configs: [{ targets: [target] }] }],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawnProcess(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    {},
  );
  const stop = async (): Promise<void> => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`)).ok);
  } catch (error) {
    await stop();
    throw new Error(`Prometheus did not start: ${server.stderr().slice(-500)}`, { cause: error });
  }
  return {
    url,
    query: async (expr) =>
      (await prometheusApi<{ result: [] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`))
        .result,
    rules: async () => (await prometheusApi<{ groups: [] }>(`${url}/api/v1/rules`)).groups,
    stop,
  };
}

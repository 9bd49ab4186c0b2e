import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { promtool, readAlertRules } from '../../test/support/monitoring.js';

const RULES = fileURLToPath(new URL('./otp-alerts.yml', import.meta.url));
const TESTS = fileURLToPath(new URL('./tests/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/monitoring.md', import.meta.url));

interface PromtoolTestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const groups = readAlertRules(RULES);
const testFiles = readdirSync(TESTS).filter((name) => name.endsWith('.test.yml'));

describe('the alert rules', () => {
  it('pass promtool check rules', async () => {
    const alerts = groups.flatMap((group) => group.rules).length;
    expect(await promtool('check', 'rules', RULES)).toContain(`SUCCESS: ${alerts} rules found`);
  });

  it('pass their promtool unit tests, one file per family', async () => {
    const output = await promtool('test', 'rules', ...testFiles.map((name) => TESTS + name));
    expect(output.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('give every alert a summary, a description of what to do, and a severity', () => {
    for (const rule of groups.flatMap((group) => group.rules)) {
      expect([rule.alert, rule.labels?.severity]).toEqual([
        rule.alert,
        expect.stringMatching(/^(critical|warning|info)$/),
      ]);
      expect(rule.annotations?.summary).toEqual(expect.any(String));
      expect(rule.annotations?.description?.length).toBeGreaterThan(80);
    }
  });

  // otp-<family> in the rules, tests/<family>.test.yml beside them: a new family is one group
  // and one file, and this test refuses the group until its file tests each alert both ways.
  it.each(groups.map((group) => ({ name: group.name, group })))(
    '$name has a test file with a firing and a silent case for each alert',
    ({ group }) => {
      const file = `${group.name.replace(/^otp-/, '')}.test.yml`;
      expect(testFiles).toContain(file);
      const cases = (parse(readFileSync(TESTS + file, 'utf8')) as PromtoolTestFile).tests.flatMap(
        (test) => test.alert_rule_test ?? [],
      );
      for (const { alert } of group.rules) {
        const outcomes = cases
          .filter((test) => test.alertname === alert)
          .map((test) => ((test.exp_alerts?.length ?? 0) > 0 ? 'fires' : 'silent'));
        expect([alert, [...new Set(outcomes)].sort()]).toEqual([alert, ['fires', 'silent']]);
      }
    },
  );

  it('are each documented in docs/monitoring.md', () => {
    const docs = readFileSync(DOCS, 'utf8');
    for (const { alert } of groups.flatMap((group) => group.rules)) {
      expect([alert, docs.includes(`\`${alert}\``)]).toEqual([alert, true]);
    }
  });
});

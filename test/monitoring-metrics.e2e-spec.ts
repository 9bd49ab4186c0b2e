import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { MetricsService } from '../src/metrics/metrics.service.js';
import {
  dashboardQueries,
  labelsReadIn,
  metricNamesIn,
  readAlertRules,
} from './support/monitoring.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PHONE = '+14155552671';
/** Series Prometheus makes itself: scrape health and the alerts' own state. */
const MADE_BY_PROMETHEUS = new Set(['up', 'ALERTS']);

/** Labels Prometheus puts on every scraped series, and `le` on every histogram bucket. */
const TARGET_LABELS = new Set(['job', 'instance', 'le']);

const everyQuery = (): string[] => [
  ...readAlertRules().flatMap((group) => group.rules.map((rule) => rule.expr)),
  ...dashboardQueries().map(({ expr }) => expr),
];

/** Metric names a scrape declares (`# TYPE`) or has samples of (`_bucket`, `_sum`, `_count`). */
function exportedNames(scrape: string): Set<string> {
  return new Set([
    ...[...scrape.matchAll(/^# TYPE (\S+)/gm)].map(([, name]) => name),
    ...[...scrape.matchAll(/^([a-zA-Z_:][\w:]*)[{ ]/gm)].map(([, name]) => name),
  ]);
}

describe('the metrics the alert rules and the dashboard read', () => {
  let fake: FakeSmsServer;
  let t: TestApp;
  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    t = await startTestApp({
      realSms: true,
      env: {
        ...fake.plivoEnv(),
        RATE_LIMIT_REQUEST_LIMIT: '2',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('are all in /metrics after a short flow', async () => {
    const api = request(t.server);
    await api.post('/api/otp/request').send({ phoneNumber: PHONE }).expect(202);
    const code = /\b(\d{6})\b/.exec(fake.received[0].text)?.[1] as string;
    const wrong = code === '000000' ? '111111' : '000000';
    await api.post('/api/otp/verify').send({ phoneNumber: PHONE, code: wrong }).expect(400);
    await api.post('/api/otp/verify').send({ phoneNumber: PHONE, code }).expect(200);
    await api.post('/api/otp/request').send({ phoneNumber: 'nope' }).expect(400);
    await api.post('/api/otp/request').send({ phoneNumber: PHONE }).expect(429);
    const scrape = (await api.get('/metrics').expect(200)).text;

    // The flow fed the series the conversion, provider and refusal alerts read.
    expect(scrape).toContain('otp_codes_sent_total{calling_code="1"} 1');
    expect(scrape).toContain('otp_codes_approved_total{calling_code="1"} 1');
    expect(scrape).toContain('otp_sms_sends_total{provider="plivo",result="delivered"} 1');
    expect(scrape).toContain('otp_verifications_total{result="otp_incorrect"} 1');
    expect(scrape).toContain('otp_requests_total{result="invalid_phone_number"} 1');
    expect(scrape).toContain('otp_requests_total{result="rate_limited"} 1');

    const used = new Set([
      ...readAlertRules().flatMap((group) =>
        group.rules.flatMap((rule) => metricNamesIn(rule.expr)),
      ),
      ...dashboardQueries().flatMap(({ expr }) => metricNamesIn(expr)),
    ]);
    expect([...used]).toEqual(
      expect.arrayContaining([
        'otp_codes_sent_total',
        'otp_answer_duration_seconds_bucket',
        'otp_fraud_guard_decisions_total',
        'up',
      ]),
    );
    const exported = exportedNames(scrape);
    const missing = [...used].filter(
      (name) => !exported.has(name) && !MADE_BY_PROMETHEUS.has(name),
    );
    expect(missing).toEqual([]);
  });

  it('match and group only by labels the metrics declare', () => {
    const registry = t.app.get(MetricsService).registry;
    const declared = (name: string): string[] => {
      const family = registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ''));
      return (family as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? [];
    };
    const unknown: string[] = [];
    for (const expr of everyQuery()) {
      const names = metricNamesIn(expr).filter((name) => !MADE_BY_PROMETHEUS.has(name));
      const { matched, grouped } = labelsReadIn(expr);
      for (const { metric, label } of matched) {
        if (MADE_BY_PROMETHEUS.has(metric) || TARGET_LABELS.has(label)) continue;
        if (!declared(metric).includes(label)) unknown.push(`${metric}{${label}}`);
      }
      for (const label of grouped) {
        if (TARGET_LABELS.has(label) || names.some((name) => declared(name).includes(label))) {
          continue;
        }
        unknown.push(`by (${label}) in ${expr}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

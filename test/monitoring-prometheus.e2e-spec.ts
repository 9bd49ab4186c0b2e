import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeSmsServer } from './support/fake-sms-server.js';
import {
  dashboardQueries,
  readAlertRules,
  startPrometheus,
  type PrometheusUnderTest,
} from './support/monitoring.js';
import { freePort, waitFor } from './support/spawn-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Panels that stay empty after this flow: it makes no fraud decision and uses no API key. */
const EMPTY_AFTER_FLOW = new Set([
  'Fraud guard decisions',
  'Fraud guard decisions by country',
  'Answers by API key',
  // No challenge provider, no webhooks and no global budget in the flow's settings.
  'Challenged by country',
  'Deliveries by type and outcome',
  'Global budget warnings',
]);

describe('a real Prometheus scraping the service', () => {
  let fake: FakeSmsServer;
  let t: TestApp;
  let prometheus: PrometheusUnderTest;
  const scraped = async (expr: string, value: string): Promise<void> =>
    waitFor(async () => (await prometheus.query(expr))[0]?.value[1] === value);

  beforeAll(async () => {
    fake = await FakeSmsServer.start();
    t = await startTestApp({ realSms: true, env: fake.plivoEnv() });
    const port = await freePort();
    await t.app.listen(port, '127.0.0.1');
    prometheus = await startPrometheus(`127.0.0.1:${port}`);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await t?.close();
    await fake?.stop();
  });

  /** A code requested and approved for `phoneNumber`, after one wrong try. */
  async function signIn(phoneNumber: string): Promise<void> {
    const api = request(t.server);
    await api.post('/api/otp/request').send({ phoneNumber }).expect(202);
    const code = /\b(\d{6})\b/.exec(fake.received.at(-1)?.text ?? '')?.[1] as string;
    const wrong = code === '000000' ? '111111' : '000000';
    await api.post('/api/otp/verify').send({ phoneNumber, code: wrong }).expect(400);
    await api.post('/api/otp/verify').send({ phoneNumber, code }).expect(200);
  }

  it('evaluates every alert rule without error and answers every dashboard query', async () => {
    await scraped('sum(up{job="otp"})', '1');
    // Twice, so the conversion series have a sample before the second round moves them.
    await signIn('+14155552671');
    await request(t.server).post('/api/otp/request').send({ phoneNumber: 'nope' }).expect(400);
    await scraped('sum(otp_codes_approved_total)', '1');
    await signIn('+14155552672');
    await scraped('sum(otp_codes_approved_total)', '2');
    await waitFor(async () =>
      (await prometheus.rules()).every((group) => group.rules.every((r) => r.health !== 'unknown')),
    );

    const rules = await prometheus.rules();
    expect(rules.map((group) => group.name).sort()).toEqual(
      readAlertRules()
        .map((group) => group.name)
        .sort(),
    );
    const unhealthy = rules
      .flatMap((group) => group.rules)
      .filter((rule) => rule.health !== 'ok')
      .map((rule) => `${rule.name}: ${rule.lastError}`);
    expect(unhealthy).toEqual([]);

    const empty = new Set<string>();
    for (const { panel, expr } of dashboardQueries()) {
      if ((await prometheus.query(expr)).length === 0) empty.add(panel);
    }
    expect([...empty].sort()).toEqual([...EMPTY_AFTER_FLOW].sort());

    const conversion = dashboardQueries().find(
      ({ panel, expr }) => panel === 'Conversion by country (30 min)' && expr.includes('by'),
    );
    expect(await prometheus.query(conversion?.expr ?? '')).toEqual([
      { metric: { calling_code: '1' }, value: [expect.any(Number), '1'] },
    ]);
  });
});

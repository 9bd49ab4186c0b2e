import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  type Dashboard,
  type Panel,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { alertLine, bars, query, quantiles, RATE, stat, thresholds, timeseries } from './panels.js';

/** The dashboard's uid: provisioning and links find it by this. */
export const OTP_DASHBOARD_UID = 'otp-verify';

/** Answers of real numbers: test numbers send nothing and would blur every ratio. */
const REAL = 'test!="true"';

interface Row {
  title: string;
  panels: cog.Builder<Panel>[];
}

const sent = (window: string, by = '') => `sum${by}(increase(otp_codes_sent_total[${window}]))`;
const approved = (window: string, by = '') =>
  `sum${by}(increase(otp_codes_approved_total[${window}]))`;
const storeUnavailable = (window: string) =>
  `sum(increase(otp_requests_total{result="store_unavailable"}[${window}])) + sum(increase(otp_verifications_total{result="store_unavailable"}[${window}]))`;

/** Sends, approvals and conversion by country: what SMS pumping drives down. */
const conversionRow = (): Row => ({
  title: 'Conversion',
  panels: [
    stat('Codes sent (1 h)', 'Codes sent to real numbers in the last hour', 'short', sent('1h')),
    stat(
      'Conversion (1 h)',
      'Codes approved ÷ codes sent in the last hour; below 25 % over 30 min, OtpConversionCollapsed fires',
      'percentunit',
      `${approved('1h')} / ${sent('1h')}`,
    ).thresholds(thresholds([null, 'red'], [0.25, 'orange'], [0.5, 'green'])),
    stat(
      'Instances up',
      'Instances of the scrape job "otp" that answered their last scrape',
      'short',
      'sum(up{job="otp"})',
    ).thresholds(thresholds([null, 'red'], [1, 'green'])),
    stat(
      'Alerts firing',
      'OTP alerts firing now (deploy/prometheus/otp-alerts.yml)',
      'short',
      'count(ALERTS{alertstate="firing",alertname=~"Otp.*"}) or vector(0)',
    ).thresholds(thresholds([null, 'green'], [1, 'red'])),
    timeseries('Codes sent by country', 'Codes sent per second, by calling code', 'reqps', [
      query(`sum by (calling_code) (rate(otp_codes_sent_total[${RATE}]))`, '+{{calling_code}}'),
    ]),
    timeseries('Codes approved by country', 'Codes approved per second, by calling code', 'reqps', [
      query(`sum by (calling_code) (rate(otp_codes_approved_total[${RATE}]))`, '+{{calling_code}}'),
    ]),
    alertLine(
      timeseries(
        'Conversion by country (30 min)',
        'Codes approved ÷ codes sent over 30 min, by calling code; the dashed line is the default threshold of OtpCountryConversionCollapsed',
        'percentunit',
        [
          query(
            `${approved('30m', ' by (calling_code) ')} / ${sent('30m', ' by (calling_code) ')}`,
            '+{{calling_code}}',
          ),
          query(`${approved('30m')} / ${sent('30m')}`, 'all'),
        ],
      ).max(1),
      0.25,
    ),
    timeseries(
      'Answers per second',
      'Requests and verifications answered, success or not',
      'reqps',
      [
        query(`sum(rate(otp_requests_total[${RATE}]))`, 'requests'),
        query(`sum(rate(otp_verifications_total[${RATE}]))`, 'verifications'),
      ],
    ),
  ],
});

/** Every answer by result, the ratios two alerts watch, latency and API keys. */
const answersRow = (): Row => ({
  title: 'Answers',
  panels: [
    timeseries(
      'Requests by answer',
      'POST /api/otp/request answers by result: pending or the error code (test numbers left out)',
      'reqps',
      [query(`sum by (result) (rate(otp_requests_total{${REAL}}[${RATE}])) > 0`, '{{result}}')],
    ),
    timeseries(
      'Verifications by answer',
      'POST /api/otp/verify answers by result: approved or the error code (test numbers left out)',
      'reqps',
      [
        query(
          `sum by (result) (rate(otp_verifications_total{${REAL}}[${RATE}])) > 0`,
          '{{result}}',
        ),
      ],
    ),
    alertLine(
      timeseries(
        'Wrong codes among codes checked (15 min)',
        'otp_incorrect, otp_attempts_exceeded and phone_locked ÷ all codes checked; the dashed line is the default threshold of OtpVerificationFailureRateHigh',
        'percentunit',
        [
          query(
            `sum(increase(otp_verifications_total{${REAL},result=~"otp_incorrect|otp_attempts_exceeded|phone_locked"}[15m])) / sum(increase(otp_verifications_total{${REAL},result=~"approved|otp_incorrect|otp_attempts_exceeded|phone_locked"}[15m]))`,
            'wrong codes',
          ),
        ],
      ).max(1),
      0.5,
    ),
    timeseries(
      'Refusals: per-IP limit and invalid numbers',
      'Answers 429 rate_limited (requests and verifications) and requests for invalid or refused numbers',
      'reqps',
      [
        query(
          `sum(rate(otp_requests_total{result="rate_limited"}[${RATE}])) + sum(rate(otp_verifications_total{result="rate_limited"}[${RATE}]))`,
          'rate_limited',
        ),
        query(
          `sum by (result) (rate(otp_requests_total{${REAL},result=~"invalid_phone_number|phone_number_not_allowed"}[${RATE}]))`,
          '{{result}}',
        ),
      ],
    ),
    timeseries(
      'Answer latency',
      'Time from receiving a request or verification to answering it, refusals included',
      's',
      quantiles('otp_answer_duration_seconds', 'operation', '{{operation}}'),
    ),
    timeseries(
      'Answers by API key',
      'Requests and verifications per API key name (when keys are set)',
      'reqps',
      [
        query(
          `sum by (api_key) (rate(otp_requests_total{api_key!=""}[${RATE}]))`,
          'request {{api_key}}',
        ),
        query(
          `sum by (api_key) (rate(otp_verifications_total{api_key!=""}[${RATE}]))`,
          'verify {{api_key}}',
        ),
      ],
    ),
  ],
});

/** Sends and failures per provider, and the codes no provider could send. */
const providersRow = (): Row => ({
  title: 'SMS providers',
  panels: [
    timeseries(
      'Sends by provider and outcome',
      'Each send through each provider after its retries: delivered (accepted), a transient or permanent failure, or unknown (the answer was lost: the message may have arrived)',
      'reqps',
      [
        query(
          `sum by (provider, result) (rate(otp_sms_sends_total[${RATE}]))`,
          '{{provider}} {{result}}',
        ),
      ],
    ),
    timeseries(
      'Provider latency',
      'Time a provider took to accept or refuse a message, retries included',
      's',
      quantiles('otp_sms_send_duration_seconds', 'provider', '{{provider}}'),
    ),
    alertLine(
      timeseries(
        'Provider failures (10 min)',
        'Failed sends ÷ all sends per provider; the dashed line is the default threshold of OtpSmsProviderErrors',
        'percentunit',
        [
          // A provider that never failed has no failure series: 0 %, not "no data".
          query(
            `(sum by (provider) (increase(otp_sms_sends_total{result!="delivered"}[10m])) or 0 * sum by (provider) (increase(otp_sms_sends_total[10m]))) / sum by (provider) (increase(otp_sms_sends_total[10m]))`,
            '{{provider}}',
          ),
        ],
      ).max(1),
      0.1,
    ),
    bars(
      timeseries(
        'Codes that could not be sent',
        'Requests answered 502 sms_delivery_failed: every provider failed',
        'short',
        [
          query(
            `sum(increase(otp_requests_total{${REAL},result="sms_delivery_failed"}[${RATE}]))`,
            'sms_delivery_failed',
          ),
        ],
      ),
    ),
  ],
});

/** The fraud guard's decisions, overall and by country. */
const fraudGuardRow = (): Row => ({
  title: 'Fraud guard',
  panels: [
    bars(
      timeseries(
        'Fraud guard decisions',
        'quarantined, blocked, would_block (shadow mode), budget_exceeded, released',
        'short',
        [
          query(
            `sum by (decision) (increase(otp_fraud_guard_decisions_total[${RATE}])) > 0`,
            '{{decision}}',
          ),
        ],
      ),
    ),
    bars(
      timeseries(
        'Fraud guard decisions by country',
        'The same decisions by ISO country of the number',
        'short',
        [
          query(
            `sum by (country, decision) (increase(otp_fraud_guard_decisions_total[${RATE}])) > 0`,
            '{{country}} {{decision}}',
          ),
        ],
      ),
    ),
  ],
});

/** Redis as the answers see it, and the Node.js processes. */
const storeRow = (): Row => ({
  title: 'Store and process',
  panels: [
    bars(
      timeseries(
        'Store unavailable',
        'Answers 503 store_unavailable: Redis did not answer in time (OtpStoreUnavailable at 5 in 5 min)',
        'short',
        [query(storeUnavailable(RATE), 'store_unavailable')],
      ),
    ),
    timeseries(
      'Event loop lag (p99)',
      'Event loop lag per instance; a lag that grows slows every answer',
      's',
      [query('max by (instance) (nodejs_eventloop_lag_p99_seconds)', '{{instance}}')],
    ),
    timeseries('Memory', 'Resident memory per instance', 'bytes', [
      query('max by (instance) (process_resident_memory_bytes)', '{{instance}}'),
    ]),
  ],
});

/** Events waiting in Redis for their receivers, and how their deliveries end. */
const webhooksRow = (): Row => ({
  title: 'Webhooks',
  panels: [
    alertLine(
      timeseries(
        'Events waiting',
        'Events in the Redis queue not yet accepted by a receiver; the dashed line is the depth at which OtpWebhookBacklogGrowing may fire',
        'short',
        [query('max(otp_webhook_queue_depth)', 'waiting')],
      ),
      100,
    ),
    timeseries(
      'Deliveries by type and outcome',
      'delivered (2xx within 5 s), failed (retried later) and dropped (past OTP_WEBHOOK_RETRY_HOURS)',
      'reqps',
      [
        query(
          `sum by (type, outcome) (rate(otp_webhook_deliveries_total[${RATE}]))`,
          '{{type}} {{outcome}}',
        ),
      ],
    ),
  ],
});

/** Challenges asked for and how they end, and the global budgets' warnings. */
const challengesRow = (): Row => ({
  title: 'Challenges and budgets',
  panels: [
    timeseries(
      'Challenges by outcome',
      'required (a CAPTCHA was asked for), passed, failed (refused, stale or reused token) and unavailable (the provider did not answer within 3 s)',
      'reqps',
      [query(`sum by (outcome) (rate(otp_captcha_total[${RATE}]))`, '{{outcome}}')],
    ),
    timeseries(
      'Challenged by country',
      'Requests the fraud guard answered with a challenge because a prefix or the country is quarantined',
      'reqps',
      [
        query(
          `sum by (country) (rate(otp_fraud_guard_decisions_total{decision="challenged"}[${RATE}])) > 0`,
          '{{country}}',
        ),
      ],
    ),
    bars(
      timeseries(
        'Global budget warnings',
        'A global budget (OTP_GLOBAL_SEND_LIMITS) past 80 % of its window, once per window',
        'short',
        [
          query(
            `sum by (window) (increase(otp_global_budget_warnings_total[${RATE}]))`,
            '{{window}}',
          ),
        ],
      ),
    ),
  ],
});

/** The rows, top to bottom: a new row is one function and one entry here. */
const ROWS = [
  conversionRow,
  answersRow,
  providersRow,
  fraudGuardRow,
  challengesRow,
  webhooksRow,
  storeRow,
];

/**
 * The OTP service at a glance: conversion first (what SMS pumping drives down), then the answers,
 * the SMS providers, the fraud guard and the parts it runs on. Thresholds drawn on the panels are
 * the alert rules' defaults (deploy/prometheus/otp-alerts.yml).
 */
export function otpDashboard(): Dashboard {
  const builder = new DashboardBuilder('OTP verification')
    .uid(OTP_DASHBOARD_UID)
    .description('Sends, approvals and conversion, answers, SMS providers, fraud guard and store')
    .tags(['otp', 'sms'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(
      new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    );
  for (const row of ROWS.map((build) => build())) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  const dashboard = builder.build();
  // Rows come out with id 0 and panels with none: number them all, so links to a panel hold.
  dashboard.panels?.forEach((panel, index) => (panel.id = index + 1));
  return dashboard;
}

/** The dashboard as committed in otp-dashboard.json: `npm run dashboard` writes it. */
export const renderOtpDashboard = (): string => `${JSON.stringify(otpDashboard(), null, 2)}\n`;

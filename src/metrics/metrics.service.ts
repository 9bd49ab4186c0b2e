import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OtpErrorCode } from 'nestjs-otp-verify';
import { callingCodeOf } from './calling-code.js';
import type {
  FraudGuardDecisionEvent,
  FraudGuardObserver,
  GlobalBudgetWarningEvent,
  OtpEventType,
  SmsDeliveryEvent,
  SmsDeliveryObserver,
  SmsDeliveryStatusEvent,
  VoiceCallEvent,
  WebhookDeliveryObserver,
  WebhookOutcome,
} from 'nestjs-otp-verify';

export type OtpOperation = 'request' | 'verify';

/** Who asked: a test number (`test="true"`) and the name of the API key presented, when any. */
export interface OtpCaller {
  testNumber?: boolean;
  apiKey?: string;
}

type ResultLabel = 'result' | 'test' | 'api_key';

/** A provider's time to take or refuse a send, an SMS or a call, retries included: up to its deadline. */
const PROVIDER_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Every value the `result` label can take: a fixed set keeps the series count bounded. */
const ERROR_RESULTS = new Set<string>(Object.values(OtpErrorCode));
const SUCCESS_RESULT: Record<OtpOperation, string> = { request: 'pending', verify: 'approved' };

/**
 * The service's Prometheus metrics, on a registry of its own so that two apps in one process
 * (tests, a host app) never collide in prom-client's global one.
 */
@Injectable()
export class MetricsService
  implements SmsDeliveryObserver, FraudGuardObserver, WebhookDeliveryObserver
{
  readonly registry = new Registry();
  // `test` and `api_key` appear only on answers they apply to, so the plain series stay as they were.
  private readonly results: Record<OtpOperation, Counter<ResultLabel>> = {
    request: new Counter({
      name: 'otp_requests_total',
      help: 'Code requests answered, by result: pending or the error code; test numbers under test="true", callers by api_key name',
      labelNames: ['result', 'test', 'api_key'],
      registers: [this.registry],
    }),
    verify: new Counter({
      name: 'otp_verifications_total',
      help: 'Verifications answered, by result: approved or the error code; test numbers under test="true", callers by api_key name',
      labelNames: ['result', 'test', 'api_key'],
      registers: [this.registry],
    }),
  };
  private readonly smsSends = new Counter({
    name: 'otp_sms_sends_total',
    help: 'SMS deliveries through each provider, by result',
    labelNames: ['provider', 'result'],
    registers: [this.registry],
  });
  private readonly smsDuration = new Histogram({
    name: 'otp_sms_send_duration_seconds',
    help: 'Time a provider took to accept or refuse an SMS, retries included',
    labelNames: ['provider'],
    buckets: PROVIDER_SECONDS,
    registers: [this.registry],
  });
  private readonly voiceCalls = new Counter({
    name: 'otp_voice_calls_total',
    help: 'Voice calls placed through each provider, by result',
    labelNames: ['provider', 'result'],
    registers: [this.registry],
  });
  private readonly voiceDuration = new Histogram({
    name: 'otp_voice_call_duration_seconds',
    help: 'Time a provider took to take or refuse a call, retries included',
    labelNames: ['provider'],
    buckets: PROVIDER_SECONDS,
    registers: [this.registry],
  });
  /** `locale` is bounded: the locales that have a text, built in or configured. */
  private readonly smsSegments = new Counter({
    name: 'otp_sms_segments_total',
    help: 'SMS segments billed for the messages providers accepted, by the locale of the text',
    labelNames: ['locale'],
    registers: [this.registry],
  });

  /** Each message's status as its receipts moved it; replays and late receipts are not counted. */
  private readonly smsDeliveryStatuses = new Counter({
    name: 'otp_sms_delivery_status_total',
    help: "SMS whose provider's delivery receipt moved them to a status (sent, delivered, undelivered, failed), by provider and country",
    labelNames: ['provider', 'status', 'country'],
    registers: [this.registry],
  });

  /** `country` is bounded: ISO 3166 codes and `001`, as libphonenumber names regions. */
  private readonly fraudDecisions = new Counter({
    name: 'otp_fraud_guard_decisions_total',
    help: 'Fraud guard decisions: quarantined, blocked, challenged, would_block (shadow mode), budget_exceeded, released',
    labelNames: ['decision', 'country'],
    registers: [this.registry],
  });
  /** Each global budget passing 80 %, told once per window across instances. */
  private readonly globalBudgetWarnings = new Counter({
    name: 'otp_global_budget_warnings_total',
    help: 'A global send budget (OTP_GLOBAL_SEND_LIMITS) passed 80 % of its window: hour or day',
    labelNames: ['window'],
    registers: [this.registry],
  });
  private readonly captchas = new Counter({
    name: 'otp_captcha_total',
    help: 'Challenge outcomes: required, passed, failed, unavailable',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  /** `type` is bounded: the contract's event types. */
  private readonly webhookDeliveries = new Counter({
    name: 'otp_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by event type and outcome: delivered, failed (tried again later) or dropped (out of retries)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });

  private readonly webhookQueue = new Gauge({
    name: 'otp_webhook_queue_depth',
    help: 'Events waiting for delivery, retries included, in the queue every instance drains',
    registers: [this.registry],
  });

  // Sends and approvals of real numbers (test numbers are left out), by country calling code: the
  // conversion that SMS pumping drives down, overall and per country.
  private readonly codesSent = new Counter({
    name: 'otp_codes_sent_total',
    help: 'Codes sent (requests answered 202) to real numbers, by country calling code',
    labelNames: ['calling_code'],
    registers: [this.registry],
  });
  private readonly codesApproved = new Counter({
    name: 'otp_codes_approved_total',
    help: 'Codes approved (verifications answered 200) of real numbers, by country calling code',
    labelNames: ['calling_code'],
    registers: [this.registry],
  });
  private readonly answerDuration = new Histogram({
    name: 'otp_answer_duration_seconds',
    help: 'Time from receiving an OTP request or verification to answering it, refusals included',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Series that exist from the start let rate() and alerts work before the first error.
    for (const operation of ['request', 'verify'] as const) {
      for (const result of [SUCCESS_RESULT[operation], ...ERROR_RESULTS]) {
        this.results[operation].inc({ result }, 0);
      }
    }
    for (const outcome of ['required', 'passed', 'failed', 'unavailable']) {
      this.captchas.inc({ outcome }, 0);
    }
  }

  /** `errorCode` is the contract's `code` of an error answer; anything else counts as `internal_error`. */
  answered(
    operation: OtpOperation,
    succeeded: boolean,
    errorCode?: unknown,
    caller: OtpCaller = {},
  ): void {
    const result = succeeded
      ? SUCCESS_RESULT[operation]
      : typeof errorCode === 'string' && ERROR_RESULTS.has(errorCode)
        ? errorCode
        : OtpErrorCode.InternalError;
    this.results[operation].inc({
      result,
      ...(caller.testNumber && { test: 'true' }),
      ...(caller.apiKey !== undefined && { api_key: caller.apiKey }),
    });
  }

  /** A code sent (`request`) or approved (`verify`) for a real number, by its E.164 form. */
  converted(operation: OtpOperation, e164: string): void {
    const counter = operation === 'request' ? this.codesSent : this.codesApproved;
    counter.inc({ calling_code: callingCodeOf(e164) });
  }

  timed(operation: OtpOperation, seconds: number): void {
    this.answerDuration.observe({ operation }, seconds);
  }

  smsDelivery({ provider, result, durationSeconds, segments, locale }: SmsDeliveryEvent): void {
    this.smsSends.inc({ provider, result });
    this.smsDuration.observe({ provider }, durationSeconds);
    if (segments !== undefined && locale !== undefined) this.smsSegments.inc({ locale }, segments);
  }

  voiceCall({ provider, result, durationSeconds }: VoiceCallEvent): void {
    this.voiceCalls.inc({ provider, result });
    this.voiceDuration.observe({ provider }, durationSeconds);
  }

  smsDeliveryStatus({ provider, status, country }: SmsDeliveryStatusEvent): void {
    this.smsDeliveryStatuses.inc({ provider, status, country });
  }

  fraudGuardDecision({ decision, country }: FraudGuardDecisionEvent): void {
    this.fraudDecisions.inc({ decision, country });
  }

  webhookDelivery({ type, outcome }: { type: OtpEventType; outcome: WebhookOutcome }): void {
    this.webhookDeliveries.inc({ type, outcome });
  }

  webhookQueueDepth(depth: number): void {
    this.webhookQueue.set(depth);
  }

  challengeOutcome(outcome: 'required' | 'passed' | 'failed' | 'unavailable'): void {
    this.captchas.inc({ outcome });
  }

  globalBudgetWarning({ window }: GlobalBudgetWarningEvent): void {
    this.globalBudgetWarnings.inc({ window });
  }
}

import { describe, expect, it } from '@jest/globals';
import { MetricsService } from './metrics.service.js';

describe('MetricsService as the SMS delivery observer', () => {
  it('counts sends by provider and result and times them by provider', async () => {
    const metrics = new MetricsService();
    metrics.smsDelivery({ provider: 'plivo', result: 'delivered', durationSeconds: 0.2 });
    metrics.smsDelivery({ provider: 'plivo', result: 'delivered', durationSeconds: 0.4 });
    metrics.smsDelivery({ provider: 'sns', result: 'transient', durationSeconds: 3 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('otp_sms_sends_total{provider="plivo",result="delivered"} 2');
    expect(text).toContain('otp_sms_sends_total{provider="sns",result="transient"} 1');
    expect(text).toMatch(/otp_sms_send_duration_seconds_sum\{provider="plivo"\} 0\.6\d*/);
    expect(text).toContain('otp_sms_send_duration_seconds_count{provider="sns"} 1');
    expect(text).toContain('otp_sms_send_duration_seconds_bucket{le="0.25",provider="plivo"} 1');
  });

  it('keeps unknown error codes out of the label set', async () => {
    const metrics = new MetricsService();
    metrics.answered('verify', false, 'something_new');
    metrics.answered('verify', false, undefined);
    expect(await metrics.registry.metrics()).toContain(
      'otp_verifications_total{result="internal_error"} 2',
    );
  });
});

describe('MetricsService conversion counts', () => {
  it('labels sends and approvals by country calling code, one to three digits', async () => {
    const metrics = new MetricsService();
    metrics.converted('request', '+14155552671');
    metrics.converted('request', '+12425551234');
    metrics.converted('request', '+447400123456');
    metrics.converted('request', '+8801712345678');
    metrics.converted('request', '+80012345678');
    metrics.converted('verify', '+447400123456');
    const text = await metrics.registry.metrics();
    expect(text).toContain('otp_codes_sent_total{calling_code="1"} 2');
    expect(text).toContain('otp_codes_sent_total{calling_code="44"} 1');
    expect(text).toContain('otp_codes_sent_total{calling_code="880"} 1');
    expect(text).toContain('otp_codes_sent_total{calling_code="800"} 1');
    expect(text).toContain('otp_codes_approved_total{calling_code="44"} 1');
  });

  it('never makes a label of digits it does not know as a calling code', async () => {
    const metrics = new MetricsService();
    metrics.converted('request', '+99912345678');
    expect(await metrics.registry.metrics()).toContain(
      'otp_codes_sent_total{calling_code="other"} 1',
    );
  });
});

describe('MetricsService as the fraud guard observer', () => {
  it('counts challenges by outcome and global budget warnings by window', async () => {
    const metrics = new MetricsService();
    metrics.challengeOutcome('required');
    metrics.challengeOutcome('required');
    metrics.challengeOutcome('unavailable');
    metrics.globalBudgetWarning({ window: 'day', limit: 100, sends: 81 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('otp_captcha_total{outcome="required"} 2');
    expect(text).toContain('otp_captcha_total{outcome="unavailable"} 1');
    expect(text).toContain('otp_global_budget_warnings_total{window="day"} 1');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { resolveOtpSettings } from '../otp-options.js';
import { FallbackSmsProvider } from './fallback-sms.provider.js';
import { classifyPlivoError } from './plivo-sms.provider.js';
import { ResilientSmsProvider, SmsDeliveryError } from './resilient-sms.provider.js';
import type { SmsDeliveryEvent } from './sms-delivery-observer.js';
import { smsProviderFactory } from './sms-provider.factory.js';
import type { SmsMessage, SmsProvider } from './sms-provider.js';
import { classifySnsError } from './sns-sms.provider.js';

/** A provider that answers each send with the next scripted outcome: ok, or a status error. */
class ScriptedProvider implements SmsProvider {
  sent = 0;
  constructor(
    readonly name: string,
    private readonly outcomes: ('ok' | number)[],
  ) {}
  async send(): Promise<void> {
    const outcome = this.outcomes[this.sent++] ?? 'ok';
    if (outcome !== 'ok') throw Object.assign(new Error('refused'), { status: outcome });
  }
}

const message: SmsMessage = { to: '+14155552671', text: 'Your code is 917353' };
const policy = { maxRetries: 2, timeoutMs: 10_000, baseDelayMs: 1 };

describe('SMS delivery: retries, fallback and logs', () => {
  const lines: string[] = [];
  const events: SmsDeliveryEvent[] = [];
  const observer = { smsDelivery: (event: SmsDeliveryEvent) => events.push(event) };
  const resilient = (provider: SmsProvider) =>
    new ResilientSmsProvider(provider, classifyPlivoError, policy, observer);

  beforeAll(() => {
    const keep = (line: unknown) => lines.push(String(line));
    Logger.overrideLogger({ log: keep, warn: keep, error: keep });
  });
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
  beforeEach(() => {
    lines.length = 0;
    events.length = 0;
  });

  it('retries transient failures, reports one delivery and logs the provider with a masked number', async () => {
    const plivo = new ScriptedProvider('plivo', [500, 429]);
    await resilient(plivo).send(message);
    expect(plivo.sent).toBe(3);
    expect(events).toEqual([
      { provider: 'plivo', result: 'delivered', durationSeconds: expect.any(Number) },
    ]);
    expect(lines).toEqual(['SMS to +14*****2671 delivered by plivo']);
  });

  it('stops at a permanent failure and at the retry budget', async () => {
    const refused = new ScriptedProvider('plivo', [401]);
    await expect(resilient(refused).send(message)).rejects.toThrow(SmsDeliveryError);
    expect(refused.sent).toBe(1);
    const down = new ScriptedProvider('plivo', [503, 503, 503, 503]);
    await expect(resilient(down).send(message)).rejects.toMatchObject({ kind: 'transient' });
    expect(down.sent).toBe(3);
    expect(events.map((event) => event.result)).toEqual(['permanent', 'transient']);
  });

  it('says which provider delivered after a fallback, and never logs the text', async () => {
    const fallback = new FallbackSmsProvider([
      resilient(new ScriptedProvider('plivo', [403])),
      resilient(new ScriptedProvider('sns', [])),
    ]);
    await fallback.send(message);
    expect(events.map((event) => [event.provider, event.result])).toEqual([
      ['plivo', 'permanent'],
      ['sns', 'delivered'],
    ]);
    expect(lines.at(-1)).toBe('SMS to +14*****2671 delivered by sns');
    expect(lines.join('\n')).not.toMatch(/917353|4155552671/);
  });

  it('warns at start-up when the rendered message needs more than one segment', async () => {
    const settings = resolveOtpSettings({
      hashSecret: 'x'.repeat(32),
      messageTemplate: `${'x'.repeat(150)} {code}`,
      webOtpDomain: 'example.com',
    });
    await smsProviderFactory.useFactory(settings);
    expect(lines).toEqual([expect.stringMatching(/is 178 GSM-7 characters, over the 160 of one/)]);
  });
});

describe('error classifiers', () => {
  it('reads Plivo failures: no answer, known and unknown statuses', () => {
    expect(classifyPlivoError('Error: connect ECONNREFUSED').kind).toBe('transient');
    expect(classifyPlivoError(Object.assign(new Error('x'), { status: 500 })).kind).toBe(
      'transient',
    );
    expect(
      classifyPlivoError(new Error('AxiosError: Request failed with status code 429')),
    ).toEqual({ kind: 'transient', reason: 'HTTP 429' });
    expect(classifyPlivoError(Object.assign(new Error('x'), { status: 400 })).kind).toBe(
      'permanent',
    );
    expect(classifyPlivoError(new Error('Neither of src or powerpack uuid present')).kind).toBe(
      'permanent',
    );
  });

  it('reads AWS SDK failures: network, server, throttling, client', () => {
    const aws = (name: string, httpStatusCode?: number) =>
      Object.assign(new Error('x'), { name, $metadata: { httpStatusCode } });
    expect(classifySnsError(aws('Error')).kind).toBe('transient');
    expect(classifySnsError(aws('InternalErrorException', 500)).kind).toBe('transient');
    expect(classifySnsError(aws('ThrottledException', 400)).kind).toBe('transient');
    expect(classifySnsError(aws('InvalidParameterException', 400)).kind).toBe('permanent');
    expect(classifySnsError(aws('CredentialsProviderError')).kind).toBe('permanent');
  });
});

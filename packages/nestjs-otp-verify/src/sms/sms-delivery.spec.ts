import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { classifyPlivoError } from './plivo-sms.provider.js';
import { ResilientSmsProvider, SmsDeliveryError } from './resilient-sms.provider.js';
import type { SmsDeliveryEvent } from './sms-delivery-observer.js';
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

const message: SmsMessage = { to: '+14155552671', text: 'Your code is 917353', locale: 'en' };
const policy = { maxRetries: 2, maxAttempts: 3, timeoutMs: 10_000, baseDelayMs: 1 };

describe('SMS delivery: retries, fallback and logs', () => {
  const lines: string[] = [];
  const events: SmsDeliveryEvent[] = [];
  const observer = { smsDelivery: (event: SmsDeliveryEvent) => events.push(event) };
  const resilient = (...providers: SmsProvider[]) =>
    new ResilientSmsProvider(
      providers.map((provider) => ({ provider, classify: classifyPlivoError })),
      policy,
      observer,
    );

  beforeAll(() => {
    const keep = (line: unknown) => lines.push(String(line));
    Logger.overrideLogger({ log: keep, warn: keep, error: keep });
  });
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
  beforeEach(() => {
    lines.length = 0;
    events.length = 0;
  });

  it('retries definite transient failures, reports one delivery and logs the provider with a masked number', async () => {
    const plivo = new ScriptedProvider('plivo', [429, 429]);
    await resilient(plivo).send(message);
    expect(plivo.sent).toBe(3);
    expect(events).toEqual([
      {
        provider: 'plivo',
        result: 'delivered',
        durationSeconds: expect.any(Number),
        segments: 1,
        locale: 'en',
      },
    ]);
    expect(lines).toEqual(['SMS to +14*****2671 delivered by plivo']);
  });

  it('stops at a permanent failure and at the retry budget', async () => {
    const refused = new ScriptedProvider('plivo', [401]);
    await expect(resilient(refused).send(message)).rejects.toThrow(SmsDeliveryError);
    expect(refused.sent).toBe(1);
    const busy = new ScriptedProvider('plivo', [429, 429, 429, 429]);
    await expect(resilient(busy).send(message)).rejects.toMatchObject({ kind: 'transient' });
    expect(busy.sent).toBe(3);
    expect(events.map((event) => event.result)).toEqual(['permanent', 'transient']);
  });

  it('neither retries nor falls back after an answer that may follow a sent message', async () => {
    const plivo = new ScriptedProvider('plivo', [500]);
    const sns = new ScriptedProvider('sns', []);
    const failure = resilient(plivo, sns).send(message);
    await expect(failure).rejects.toMatchObject({ kind: 'unknown', mayHaveBeenSent: true });
    expect([plivo.sent, sns.sent]).toEqual([1, 0]);
    expect(events.map((event) => [event.provider, event.result])).toEqual([['plivo', 'unknown']]);
  });

  it('makes at most maxAttempts calls in all, fallback included', async () => {
    const plivo = new ScriptedProvider('plivo', [429, 429, 429]);
    const sns = new ScriptedProvider('sns', [429, 429, 429]);
    await expect(resilient(plivo, sns).send(message)).rejects.toMatchObject({
      kind: 'transient',
    });
    expect(plivo.sent + sns.sent).toBe(3);
    const refusing = new ScriptedProvider('plivo', [401]);
    const busy = new ScriptedProvider('sns', [429, 429, 429]);
    await expect(resilient(refusing, busy).send(message)).rejects.toMatchObject({
      provider: 'sns',
    });
    expect([refusing.sent, busy.sent]).toEqual([1, 2]);
  });

  it('says which provider delivered after a fallback, and never logs the text', async () => {
    await resilient(new ScriptedProvider('plivo', [403]), new ScriptedProvider('sns', [])).send(
      message,
    );
    expect(events.map((event) => [event.provider, event.result])).toEqual([
      ['plivo', 'permanent'],
      ['sns', 'delivered'],
    ]);
    expect(lines.at(-1)).toBe('SMS to +14*****2671 delivered by sns');
    expect(lines.join('\n')).not.toMatch(/917353|4155552671/);
  });

  it('reports the segments billed with a delivery, and none with a failure', async () => {
    const long = { ...message, text: `Ваш код 917353. ${'й'.repeat(60)}`, locale: 'ru' };
    await resilient(new ScriptedProvider('plivo', [403]), new ScriptedProvider('sns', [])).send(
      long,
    );
    expect(events.map(({ provider, segments, locale }) => [provider, segments, locale])).toEqual([
      ['plivo', undefined, undefined],
      ['sns', 2, 'ru'],
    ]);
  });

  it("answers with the provider that took the message and that provider's id of it, if any", async () => {
    const withId: SmsProvider = { name: 'sns', send: async () => ({ messageId: 'sns-1' }) };
    const refusing = new ScriptedProvider('plivo', [403]);
    await expect(resilient(refusing, withId).send(message)).resolves.toEqual({
      provider: 'sns',
      messageId: 'sns-1',
    });
    // A host app's own provider may answer nothing.
    await expect(resilient(new ScriptedProvider('own', [])).send(message)).resolves.toEqual({
      provider: 'own',
      messageId: undefined,
    });
  });
});

describe('error classifiers', () => {
  it('reads Plivo failures: refused connection, lost answer, known and unknown statuses', () => {
    expect(classifyPlivoError('Error: connect ECONNREFUSED 127.0.0.1:9').kind).toBe('transient');
    expect(classifyPlivoError('AxiosError: timeout of 1000ms exceeded').kind).toBe('unknown');
    expect(classifyPlivoError('Error: socket hang up').kind).toBe('unknown');
    expect(classifyPlivoError(Object.assign(new Error('x'), { status: 500 })).kind).toBe('unknown');
    expect(
      classifyPlivoError(new Error('AxiosError: Request failed with status code 429')),
    ).toEqual({ kind: 'transient', reason: 'HTTP 429' });
    expect(classifyPlivoError(new Error('Request failed with status code 503')).kind).toBe(
      'unknown',
    );
    expect(classifyPlivoError(Object.assign(new Error('x'), { status: 400 })).kind).toBe(
      'permanent',
    );
    expect(classifyPlivoError(new Error('Neither of src or powerpack uuid present')).kind).toBe(
      'permanent',
    );
  });

  it('reads AWS SDK failures: network, server, throttling, client', () => {
    const aws = (name: string, httpStatusCode?: number, code?: string) =>
      Object.assign(new Error('x'), { name, code, $metadata: { httpStatusCode } });
    expect(classifySnsError(aws('Error', undefined, 'ECONNREFUSED')).kind).toBe('transient');
    expect(classifySnsError(aws('TimeoutError', undefined, 'ETIMEDOUT')).kind).toBe('unknown');
    expect(classifySnsError(aws('Error', undefined, 'ECONNRESET')).kind).toBe('unknown');
    expect(classifySnsError(aws('InternalErrorException', 500)).kind).toBe('unknown');
    expect(classifySnsError(aws('ThrottledException', 400)).kind).toBe('transient');
    expect(classifySnsError(aws('InvalidParameterException', 400)).kind).toBe('permanent');
    expect(classifySnsError(aws('CredentialsProviderError')).kind).toBe('permanent');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { resolveOtpSettings, type OtpModuleOptions } from '../otp-options.js';
import { OtpMessages } from './otp-messages.js';

const messagesWith = (options: Omit<OtpModuleOptions, 'hashSecret'> = {}) =>
  new OtpMessages(resolveOtpSettings({ hashSecret: 'x'.repeat(32), ...options }));

describe('OtpMessages: the choice of locale', () => {
  const messages = messagesWith();

  it.each([
    ['pt-BR', 'BR', 'pt-BR'],
    ['pt_br', 'US', 'pt-BR'],
    ['PT', 'BR', 'pt'],
    ['pt-AO', 'US', 'pt'],
    ['pt-Latn-BR', 'US', 'pt-BR'],
    ['zh-Hant-HK', 'CN', 'zh-TW'],
    ['zh', 'TW', 'zh-CN'],
    ['iw_IL', 'US', 'he'],
    ['de', 'US', 'de'],
  ])('takes the request tag %s for a number of %s: %s', (requested, region, locale) => {
    expect(messages.resolveLocale(requested, region)).toBe(locale);
  });

  it.each([
    [undefined, 'FR', 'fr'],
    ['xx-YY', 'FR', 'fr'],
    ['!!', 'JP', 'ja'],
    ['en-', 'BR', 'pt-BR'],
    ['x'.repeat(35), 'DE', 'de'],
    [undefined, 'US', 'en'],
    [undefined, 'AD', 'en'],
    [undefined, undefined, 'en'],
  ])('falls back from %s to the language of %s: %s', (requested, region, locale) => {
    expect(messages.resolveLocale(requested, region)).toBe(locale);
  });

  it('ends with the default locale, which any locale with a text may be', () => {
    const catalan = messagesWith({
      defaultLocale: 'ca',
      messageTemplates: { ca: 'El teu codi de {appName} és {code}.' },
    });
    expect(catalan.resolveLocale('xx', 'AQ')).toBe('ca');
    expect(catalan.resolveLocale(undefined, 'AD')).toBe('ca');
    expect(messagesWith({ defaultLocale: 'de' }).resolveLocale(undefined, 'AQ')).toBe('de');
  });
});

describe('OtpMessages: the texts', () => {
  it('renders the SMS in the locale, with the minutes of the code life, app lines last', () => {
    const messages = messagesWith({
      appName: 'Acme',
      ttlSeconds: 90,
      webOtpDomain: 'example.com',
      androidAppHash: 'FA+9qCX9VSu',
    });
    expect(messages.sms('fr', '012345').split('\n')).toEqual([
      'Votre code de vérification Acme est 012345. Il expire dans 2 minutes.',
      'FA+9qCX9VSu',
      '@example.com #012345',
    ]);
    expect(messages.sms('ar', '012345').split('\n').at(-1)).toBe('@example.com #012345');
    expect(messages.sms('ru', '012345')).toContain('Действует 2 минуты.');
  });

  it('takes the operator texts over the built-in ones, and OTP_MESSAGE_TEMPLATE for the default', () => {
    const messages = messagesWith({
      messageTemplate: '{code} is your {appName} code',
      messageTemplates: { fr: 'Code {appName} : {code}', pt_br: 'Código: {code}' },
    });
    expect(messages.sms('fr', '123456')).toBe('Code OTP : 123456');
    expect(messages.sms('pt-BR', '123456')).toBe('Código: 123456');
    expect(messages.sms('en', '123456')).toBe('123456 is your OTP code');
    expect(messages.sms('de', '123456')).toContain('lautet 123456');
  });

  it('gives a locale no longer configured the default text', () => {
    expect(messagesWith().sms('ca', '123456')).toBe(messagesWith().sms('en', '123456'));
  });

  it('speaks the digits one by one in the voice of the locale, or in English', () => {
    const messages = messagesWith({ appName: 'Acme' });
    expect(messages.voice('fr', '012345')).toEqual({
      text: 'Votre code de vérification Acme est : 0, 1, 2, 3, 4, 5. Il expire dans 5 minutes.',
      language: 'fr-FR',
    });
    expect(messages.voice('zh-TW', '0123').language).toBe('cmn-CN');
    expect(messages.voice('cs', '0123')).toEqual({
      text: 'Your Acme verification code is: 0, 1, 2, 3. It expires in 5 minutes.',
      language: 'en-US',
    });
  });
});

describe('OtpMessages: start-up', () => {
  const warnings: string[] = [];
  beforeAll(() => {
    const keep = (line: unknown) => warnings.push(String(line));
    Logger.overrideLogger({ log: () => undefined, warn: keep, error: keep });
  });
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
  beforeEach(() => {
    warnings.length = 0;
  });

  it.each([
    [{ fr: 'Votre code' }, /OTP_MESSAGE_TEMPLATES .*: the fr text must contain \{code\}/],
    [{ de: 'Code {code' }, /the de text is not a valid ICU message/],
    [{ es: '{name}: {code}' }, /the es text uses \{name\}/],
    [{ it: '{code, number}' }, /the it text must use \{code\} as it is/],
    [{ 'not a tag': '{code}' }, /not a tag is not a BCP 47 locale tag/],
  ])('refuses the templates %j', (messageTemplates, error) => {
    expect(() => messagesWith({ messageTemplates })).toThrow(error);
  });

  it('refuses a default locale without a text', () => {
    expect(() => messagesWith({ defaultLocale: 'ca' })).toThrow(
      /OTP_DEFAULT_LOCALE .*: ca has no built-in text/,
    );
  });

  it('warns at start-up of each locale whose text needs more than one segment', () => {
    messagesWith({ messageTemplates: { fr: `${'x'.repeat(160)} {code}` } });
    expect(warnings).toEqual([
      'The OTP message needs more than one SMS segment (160 GSM-7 or 70 UCS-2 characters) in fr (167 GSM-7 characters: 2): each code will be sent, and billed, as that many segments',
    ]);
    messagesWith({ webOtpDomain: 'example.com', androidAppHash: 'FA+9qCX9VSu' });
    expect(warnings[1]).toMatch(/ in pt \(\d+ UCS-2 characters: 2\), .*ru \(/);
    expect(warnings[1]).not.toMatch(/\ben \(/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { smsLength } from '../sms/otp-message.js';
import { compileTemplate, renderTemplate } from './message-template.js';
import { GSM7_LOCALES, SMS_TEXTS } from './sms-texts.js';
import { VOICE_TEXTS } from './voice-texts.js';

/** Plivo's `<Speak language>` values (its list of supported languages). */
const PLIVO_LANGUAGES = new Set(
  'arb cmn-CN cy-GB da-DK de-DE en-AU en-GB en-GB-WLS en-IN en-US es-ES es-MX es-US fr-CA fr-FR hi-IN is-IS it-IT ja-JP ko-KR nb-NO nl-NL pl-PL pt-BR pt-PT ro-RO ru-RU sv-SE tr-TR'.split(
    ' ',
  ),
);

const CODE = '012345';
const APP = 'Acme';
/** Minutes a code may live (30 s to an hour), and numbers that reach the rarer categories. */
const MINUTES = Array.from({ length: 60 }, (_, index) => index + 1);
const SAMPLES = [0, ...MINUTES, 101, 1.5, 1_000_000];

/** Languages whose noun keeps one form after any numeral ("5 perc", "5 dakika", "5 मिनट"). */
const UNINFLECTED = new Set(['hu', 'tr', 'hi']);

const texts = [
  ...Object.entries(SMS_TEXTS).map(([locale, text]) => ({ kind: 'SMS', locale, text })),
  ...Object.entries(VOICE_TEXTS).map(([locale, { text }]) => ({ kind: 'voice', locale, text })),
];

interface PluralElement {
  type: number;
  options?: Record<string, unknown>;
}

const render = (locale: string, text: string, minutes: number) =>
  renderTemplate(compileTemplate(locale, locale, text), { appName: APP, code: CODE, minutes });

describe.each(texts)('the built-in $kind text in $locale', ({ locale, text }) => {
  it('uses {appName}, {code} and {minutes} and nothing else', () => {
    const message = compileTemplate(locale, locale, text);
    for (const placeholder of ['appName', 'code', 'minutes']) {
      expect(text).toMatch(new RegExp(`\\{${placeholder}[,}]`));
    }
    expect(message.getAst().length).toBeGreaterThan(0);
  });

  it('renders the code and the app name for every plural category of its language', () => {
    const rules = new Intl.PluralRules(locale);
    const categories = new Set(rules.resolvedOptions().pluralCategories);
    const reached = new Set(SAMPLES.map((n) => rules.select(n)));
    expect([...categories].filter((category) => !reached.has(category))).toEqual([]);
    for (const minutes of SAMPLES) {
      const rendered = render(locale, text, minutes);
      expect(rendered).toContain(CODE);
      expect(rendered).toContain(APP);
      expect(rendered).not.toMatch(/[{}#]/);
    }
  });

  it('has its own wording for each category a code lifetime (1 to 60 minutes) reaches', () => {
    const plural = (compileTemplate(locale, locale, text).getAst() as PluralElement[]).find(
      (element) => element.type === 6,
    );
    const rules = new Intl.PluralRules(locale);
    const reached = new Set(MINUTES.map((n) => rules.select(n)));
    if (plural) {
      expect([...reached].filter((category) => !(category in (plural.options ?? {})))).toEqual([]);
    } else if (!UNINFLECTED.has(locale)) {
      expect([...reached]).toEqual(['other']);
    }
  });

  it('uses ASCII quotes and hyphens, never typographic ones', () => {
    expect(text).not.toMatch(/[\u2018\u2019\u201C\u201D\u2013\u2014\u00AB\u00BB]/);
  });
});

describe('the built-in texts together', () => {
  it('give 30 or more locales 30 or more different SMS texts', () => {
    const rendered = Object.entries(SMS_TEXTS).map(([locale, text]) => render(locale, text, 5));
    expect(rendered.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rendered).size).toBe(rendered.length);
  });

  it('are GSM-7 exactly where claimed, and each fits one segment for a short app name', () => {
    for (const [locale, text] of Object.entries(SMS_TEXTS)) {
      const { encoding, segments } = smsLength(render(locale, text, 5));
      expect([locale, encoding]).toEqual([
        locale,
        GSM7_LOCALES.includes(locale) ? 'GSM-7' : 'UCS-2',
      ]);
      expect([locale, segments]).toEqual([locale, 1]);
    }
  });

  it('speak every voice text in a language Plivo has', () => {
    for (const [locale, { language }] of Object.entries(VOICE_TEXTS)) {
      expect([locale, PLIVO_LANGUAGES.has(language)]).toEqual([locale, true]);
      expect(locale in SMS_TEXTS).toBe(true);
    }
  });
});

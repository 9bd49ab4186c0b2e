/** What a call speaks in one language, and the `<Speak language>` value of Plivo's voice for it. */
export interface VoiceText {
  /** An ICU message like the SMS texts; `{code}` arrives as digits separated for speech. */
  text: string;
  language: string;
}

const MANDARIN: VoiceText = {
  text: '您的{appName}验证码是：{code}。{minutes}分钟内有效。',
  language: 'cmn-CN',
};

/**
 * The built-in voice text of each locale Plivo has a voice for. A call reads the code once per
 * loop, digit by digit; the sentence is written to be heard, with a colon before the digits so
 * the voice pauses. Chinese in Taiwan is spoken Mandarin: the listener hears the same words, so
 * it shares the Mandarin text. Every other locale is spoken with `FALLBACK_VOICE_LOCALE`.
 */
export const VOICE_TEXTS: Readonly<Record<string, VoiceText>> = {
  en: {
    text: 'Your {appName} verification code is: {code}. It expires in {minutes, plural, one {# minute} other {# minutes}}.',
    language: 'en-US',
  },
  fr: {
    text: 'Votre code de vérification {appName} est : {code}. Il expire dans {minutes, plural, one {# minute} other {# minutes}}.',
    language: 'fr-FR',
  },
  de: {
    text: 'Ihr Bestätigungscode für {appName} lautet: {code}. Er ist {minutes, plural, one {# Minute} other {# Minuten}} gültig.',
    language: 'de-DE',
  },
  es: {
    text: 'Tu código de verificación de {appName} es: {code}. Caduca en {minutes, plural, one {# minuto} other {# minutos}}.',
    language: 'es-ES',
  },
  it: {
    text: 'Il codice di verifica per {appName} è: {code}. Scade tra {minutes, plural, one {# minuto} other {# minuti}}.',
    language: 'it-IT',
  },
  pt: {
    text: 'O seu código {appName} é: {code}. É válido durante {minutes, plural, one {# minuto} other {# minutos}}.',
    language: 'pt-PT',
  },
  'pt-BR': {
    text: 'Seu código {appName} é: {code}. Válido por {minutes, plural, one {# minuto} other {# minutos}}.',
    language: 'pt-BR',
  },
  nl: {
    text: 'Je verificatiecode voor {appName} is: {code}. De code verloopt over {minutes, plural, one {# minuut} other {# minuten}}.',
    language: 'nl-NL',
  },
  sv: {
    text: 'Din verifieringskod för {appName} är: {code}. Den gäller i {minutes, plural, one {# minut} other {# minuter}}.',
    language: 'sv-SE',
  },
  da: {
    text: 'Din bekræftelseskode til {appName} er: {code}. Den udløber om {minutes, plural, one {# minut} other {# minutter}}.',
    language: 'da-DK',
  },
  nb: {
    text: 'Bekreftelseskoden din for {appName} er: {code}. Den utløper om {minutes, plural, one {# minutt} other {# minutter}}.',
    language: 'nb-NO',
  },
  pl: {
    text: 'Twój kod weryfikacyjny {appName} to: {code}. Kod wygasa za {minutes, plural, one {# minutę} few {# minuty} many {# minut} other {# minuty}}.',
    language: 'pl-PL',
  },
  ro: {
    text: 'Codul tău de verificare {appName} este: {code}. Codul expiră în {minutes, plural, one {# minut} few {# minute} other {# de minute}}.',
    language: 'ro-RO',
  },
  ru: {
    text: 'Ваш код для {appName}: {code}. Код действует {minutes, plural, one {# минуту} few {# минуты} many {# минут} other {# минуты}}.',
    language: 'ru-RU',
  },
  tr: {
    text: '{appName} onay kodunuz: {code}. Kodunuz {minutes} dakika boyunca geçerlidir.',
    language: 'tr-TR',
  },
  ar: {
    text: 'رمز التحقق الخاص بك في {appName} هو: {code}. ينتهي خلال {minutes, plural, zero {# دقيقة} one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}.',
    language: 'arb',
  },
  hi: {
    text: 'आपका {appName} सत्यापन कोड है: {code}। यह {minutes} मिनट तक मान्य है।',
    language: 'hi-IN',
  },
  ja: {
    text: '{appName}の認証コードは、{code}、です。有効期限は{minutes}分です。',
    language: 'ja-JP',
  },
  ko: {
    text: '{appName} 인증번호는 {code} 입니다. {minutes}분 후에 만료됩니다.',
    language: 'ko-KR',
  },
  'zh-CN': MANDARIN,
  'zh-TW': MANDARIN,
};

/** Whose voice a locale without one of its own gets: understood most widely. */
export const FALLBACK_VOICE_LOCALE = 'en';

/**
 * The built-in SMS text of each locale: an ICU message with `{appName}`, `{code}` and `{minutes}`
 * (the code's life, rounded up to whole minutes). Written for this service, one sentence each.
 *
 * Where a natural sentence exists in GSM-7 (the 7-bit SMS alphabet: ASCII less a few signs, plus
 * some accented letters such as é, è, à, ä, ö, ø, å, ñ, ü), it is used, since a single character
 * outside it turns the whole message into UCS-2, which fits 70 characters per segment instead of
 * 160. Languages that need other letters (Czech, Portuguese, Greek, Cyrillic and non-Latin
 * scripts) keep them, and their texts are kept short. ASCII quotes and hyphens only, never
 * typographic ones. Locales whose language has no plural inflection after a numeral use
 * `{minutes}` alone.
 */
export const SMS_TEXTS: Readonly<Record<string, string>> = {
  en: 'Your {appName} verification code is {code}. It expires in {minutes, plural, one {# minute} other {# minutes}}.',
  fr: 'Votre code de vérification {appName} est {code}. Il expire dans {minutes, plural, one {# minute} other {# minutes}}.',
  de: 'Ihr Bestätigungscode für {appName} lautet {code}. Er ist {minutes, plural, one {# Minute} other {# Minuten}} gültig.',
  es: 'Tu clave de {appName} es {code}. Vence en {minutes, plural, one {# minuto} other {# minutos}}.',
  it: 'Il codice di verifica per {appName} è {code}. Scade tra {minutes, plural, one {# minuto} other {# minuti}}.',
  pt: 'O seu código {appName} é {code}. É válido durante {minutes, plural, one {# minuto} other {# minutos}}.',
  'pt-BR':
    'Seu código {appName} é {code}. Válido por {minutes, plural, one {# minuto} other {# minutos}}.',
  nl: 'Je verificatiecode voor {appName} is {code}. De code verloopt over {minutes, plural, one {# minuut} other {# minuten}}.',
  sv: 'Din verifieringskod för {appName} är {code}. Den gäller i {minutes, plural, one {# minut} other {# minuter}}.',
  da: 'Din bekræftelseskode til {appName} er {code}. Den udløber om {minutes, plural, one {# minut} other {# minutter}}.',
  nb: 'Bekreftelseskoden din for {appName} er {code}. Den utløper om {minutes, plural, one {# minutt} other {# minutter}}.',
  fi: '{appName}: vahvistuskoodisi on {code}. Se on voimassa {minutes, plural, one {# minuutin} other {# minuuttia}}.',
  pl: 'Kod weryfikacyjny {appName} to {code}. Wygasa po {minutes, plural, one {# minucie} few {# minutach} many {# minutach} other {# minuty}}.',
  cs: 'Váš kód pro {appName} je {code}. Platnost vyprší za {minutes, plural, one {# minutu} few {# minuty} many {# minuty} other {# minut}}.',
  sk: 'Váš kód pre {appName} je {code}. Platnosť vyprší o {minutes, plural, one {# minútu} few {# minúty} many {# minúty} other {# minút}}.',
  hu: 'A(z) {appName} ellenőrző kódod: {code}. {minutes} percig érvényes.',
  ro: 'Codul de verificare {appName} este {code}. Este valabil {minutes, plural, one {# minut} few {# minute} other {# de minute}}.',
  bg: 'Кодът ви за {appName} е {code}. Валиден е {minutes, plural, one {# минута} other {# минути}}.',
  hr: 'Verifikacijski kod za {appName} je {code}. Vrijedi {minutes, plural, one {# minutu} few {# minute} other {# minuta}}.',
  el: 'Ο κωδικός σας για {appName} είναι {code}. Λήγει σε {minutes, plural, one {# λεπτό} other {# λεπτά}}.',
  tr: '{appName} onay kodunuz: {code}. Kodunuz {minutes} dakika sonra sona erer.',
  ru: 'Ваш код для {appName}: {code}. Действует {minutes, plural, one {# минуту} few {# минуты} many {# минут} other {# минуты}}.',
  uk: 'Ваш код для {appName}: {code}. Діє {minutes, plural, one {# хвилину} few {# хвилини} many {# хвилин} other {# хвилини}}.',
  ar: 'رمز التحقق الخاص بك في {appName} هو {code}. ينتهي خلال {minutes, plural, zero {# دقيقة} one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}.',
  he: 'קוד האימות שלך ל-{appName} הוא {code}. הקוד בתוקף למשך {minutes, plural, one {דקה אחת} two {שתי דקות} other {# דקות}}.',
  hi: 'आपका {appName} सत्यापन कोड {code} है। यह {minutes} मिनट तक मान्य है।',
  id: 'Kode verifikasi {appName} Anda adalah {code}. Berlaku selama {minutes} menit.',
  ms: 'Kod pengesahan {appName} anda ialah {code}. Sah selama {minutes} minit.',
  th: 'รหัสยืนยัน {appName} ของคุณคือ {code} ใช้ได้ภายใน {minutes} นาที',
  vi: 'Mã xác minh {appName} của bạn là {code}. Mã có hiệu lực trong {minutes} phút.',
  ja: '{appName}の認証コードは{code}です。有効期限は{minutes}分です。',
  ko: '{appName} 인증번호는 {code}입니다. {minutes}분 후에 만료됩니다.',
  'zh-CN': '您的{appName}验证码是{code}，{minutes}分钟内有效。',
  'zh-TW': '您的{appName}驗證碼是{code}，{minutes}分鐘內有效。',
};

/** The locales whose built-in SMS text is written in GSM-7 alone (checked by the unit test). */
export const GSM7_LOCALES: readonly string[] = [
  'en',
  'fr',
  'de',
  'es',
  'it',
  'nl',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'ro',
  'hr',
  'tr',
  'id',
  'ms',
];

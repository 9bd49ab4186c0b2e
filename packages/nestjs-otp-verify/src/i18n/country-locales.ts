/** Countries (ISO 3166 alpha-2, as libphonenumber names regions) grouped by their main language. */
const COUNTRIES_BY_LOCALE: Readonly<Record<string, string>> = {
  // English where it is the language of official and commercial texts, India and Pakistan
  // included: most of their SMS traffic is written in English, whatever the reader speaks.
  en: 'US GB IE AU NZ CA ZA NG GH KE UG ZM ZW MW BW NA SL LR GM JM TT BS BB BZ GY AG DM GD KN LC VC BM KY VG VI AI MS TC GU MP AS PH SG IN PK LK FJ PG MU SC MT GI IM JE GG FK',
  fr: 'FR LU MC SN CI ML BF NE TG BJ CM CD CG GA GN TD CF DJ KM MG BI HT RE GP MQ GF YT PM NC PF WF MF BL',
  de: 'DE AT CH LI',
  es: 'ES MX AR CO CL PE VE EC GT CU BO DO HN PY SV NI CR PA UY PR GQ',
  it: 'IT SM VA',
  pt: 'PT AO MZ CV GW ST TL',
  'pt-BR': 'BR',
  nl: 'NL BE SR AW CW SX BQ',
  sv: 'SE AX',
  da: 'DK FO GL',
  nb: 'NO SJ',
  fi: 'FI',
  pl: 'PL',
  cs: 'CZ',
  sk: 'SK',
  hu: 'HU',
  ro: 'RO MD',
  bg: 'BG',
  hr: 'HR',
  el: 'GR CY',
  tr: 'TR',
  ru: 'RU BY KZ KG',
  uk: 'UA',
  ar: 'SA AE EG IQ JO KW LB LY MA OM QA SY TN YE BH DZ SD PS MR',
  he: 'IL',
  id: 'ID',
  ms: 'MY BN',
  th: 'TH',
  vi: 'VN',
  ja: 'JP',
  ko: 'KR',
  'zh-CN': 'CN',
  'zh-TW': 'TW HK MO',
  // Not built in: used when the operator supplies a text for the locale.
  ca: 'AD',
  is: 'IS',
  et: 'EE',
  lv: 'LV',
  lt: 'LT',
  sl: 'SI',
  sr: 'RS ME',
  mk: 'MK',
  sq: 'AL XK',
  hy: 'AM',
  ka: 'GE',
  az: 'AZ',
  uz: 'UZ',
  fa: 'IR AF',
  bn: 'BD',
  ne: 'NP',
  my: 'MM',
  km: 'KH',
  lo: 'LA',
  mn: 'MN',
  sw: 'TZ',
  am: 'ET',
};

/**
 * The main language of each country: the text a number gets when its request names no locale
 * that has one. A country missing here, or whose language has no text, gets the default locale.
 */
export const COUNTRY_LOCALES: ReadonlyMap<string, string> = new Map(
  Object.entries(COUNTRIES_BY_LOCALE).flatMap(([locale, countries]) =>
    countries.split(' ').map((country) => [country, locale] as const),
  ),
);

/**
 * Tags that name a locale under another spelling: scripts and regions of Chinese, the macrolanguage
 * of Norwegian, and the codes Java and Android still send for Hebrew and Indonesian.
 */
const ALIASES: Readonly<Record<string, string>> = {
  zh: 'zh-CN',
  'zh-hans': 'zh-CN',
  'zh-sg': 'zh-CN',
  'zh-hant': 'zh-TW',
  'zh-hk': 'zh-TW',
  'zh-mo': 'zh-TW',
  no: 'nb',
  iw: 'he',
  in: 'id',
};

const SUBTAG = /^[a-z0-9]{1,8}$/;
const SCRIPT = /^[a-z]{4}$/;

/**
 * The lookup keys of a requested tag, from the specific to the general: `pt_br` gives `pt-br`,
 * `pt`; `zh-Hant-TW` gives `zh-hant-tw`, `zh-hant`, `zh-tw`, `zh`. Case and `_` do not matter;
 * a malformed tag gives nothing, so the request falls through to the number's country.
 */
export function localeCandidates(tag: string): string[] {
  const subtags = tag.toLowerCase().replaceAll('_', '-').split('-');
  if (!subtags.every((subtag) => SUBTAG.test(subtag))) return [];
  const withoutScript = subtags.filter((subtag, index) => index === 0 || !SCRIPT.test(subtag));
  const prefixes = [subtags, withoutScript].flatMap((parts) =>
    parts.map((_, end) => parts.slice(0, end + 1)),
  );
  prefixes.sort((a, b) => b.length - a.length);
  return [...new Set(prefixes.map((parts) => parts.join('-')))];
}

/** Lower-case lookup keys of the given locales and of the aliases that lead to one of them. */
export function localeIndex(locales: Iterable<string>): Map<string, string> {
  const index = new Map<string, string>();
  for (const locale of locales) index.set(locale.toLowerCase(), locale);
  for (const [alias, locale] of Object.entries(ALIASES)) {
    if (index.has(locale.toLowerCase()) && !index.has(alias)) index.set(alias, locale);
  }
  return index;
}

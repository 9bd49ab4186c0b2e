import { readFileSync } from 'node:fs';

/**
 * The JSON file `OTP_MESSAGE_TEMPLATES` names, read once at start-up: `{ "fr": "...", ... }`.
 * Each text's ICU syntax and `{code}` are checked by the module, which names the locale.
 */
export function messageTemplatesFile(
  path: string | undefined,
  problems: string[],
): Record<string, string> | undefined {
  if (path === undefined) return undefined;
  let templates: unknown;
  try {
    templates = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      code
        ? `OTP_MESSAGE_TEMPLATES: cannot read ${path} (${code})`
        : `OTP_MESSAGE_TEMPLATES: ${path} is not JSON`,
    );
    return undefined;
  }
  const valid =
    typeof templates === 'object' &&
    templates !== null &&
    !Array.isArray(templates) &&
    Object.values(templates).every((text) => typeof text === 'string');
  if (!valid) {
    problems.push(
      `OTP_MESSAGE_TEMPLATES: ${path} must hold one JSON object of locale: text pairs ({ "fr": "..." })`,
    );
    return undefined;
  }
  return templates as Record<string, string>;
}

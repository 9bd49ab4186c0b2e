import { IntlMessageFormat } from 'intl-messageformat';

/** What a text may use; `{code}` is required. */
export interface TemplateValues {
  appName: string;
  code: string;
  minutes: number;
}

const PLACEHOLDERS = new Set(['appName', 'code', 'minutes']);

// Element kinds of the ICU syntax tree (`TYPE` in @formatjs/icu-messageformat-parser).
const ARGUMENT = 1;
const SELECT = 5;
const PLURAL = 6;
const TAG = 8;

interface AstElement {
  type: number;
  value?: unknown;
  options?: Record<string, { value: AstElement[] }>;
  children?: AstElement[];
}

/** Every placeholder a message uses, with whether it is a plain `{name}` each time. */
function placeholdersOf(elements: AstElement[], found = new Map<string, boolean>()) {
  for (const element of elements) {
    if (typeof element.value === 'string' && element.type !== 0 && element.type !== TAG) {
      found.set(element.value, (found.get(element.value) ?? true) && element.type === ARGUMENT);
    }
    if (element.type === SELECT || element.type === PLURAL) {
      for (const option of Object.values(element.options ?? {})) {
        placeholdersOf(option.value, found);
      }
    }
    if (element.children) placeholdersOf(element.children, found);
  }
  return found;
}

/**
 * Parses a text once. `<` is plain text (no rich-text tags), so a text may hold any character a
 * phone shows. Refuses, naming `name`, a text that does not parse, lacks `{code}`, uses an
 * unknown placeholder, or formats `{code}` or `{appName}` (a code as a number loses its zeros).
 */
export function compileTemplate(name: string, locale: string, text: string): IntlMessageFormat {
  let message: IntlMessageFormat;
  try {
    message = new IntlMessageFormat(text, locale, undefined, { ignoreTag: true });
  } catch (error) {
    throw new Error(`${name} is not a valid ICU message: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const placeholders = placeholdersOf(message.getAst() as AstElement[]);
  if (!placeholders.has('code')) throw new Error(`${name} must contain {code}`);
  for (const [placeholder, plain] of placeholders) {
    if (!PLACEHOLDERS.has(placeholder)) {
      throw new Error(`${name} uses {${placeholder}}: only {appName}, {code} and {minutes} exist`);
    }
    if (!plain && placeholder !== 'minutes') {
      throw new Error(`${name} must use {${placeholder}} as it is, without a format`);
    }
  }
  return message;
}

/** Renders with every placeholder given, so a message never shows a raw `{name}`. */
export function renderTemplate(message: IntlMessageFormat, values: TemplateValues): string {
  return String(message.format<string>({ ...values }));
}

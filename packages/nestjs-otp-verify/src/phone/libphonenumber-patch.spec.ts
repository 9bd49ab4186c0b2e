import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * `npm ci` patches libphonenumber-js (patches/libphonenumber-js+*.patch, applied by
 * patch-package in `postinstall`) so that `matchesEntirely` compiles each metadata pattern once
 * instead of on every call. A new version of the library, or an install that skipped the patch,
 * keeps parsing correct but slower: these tests say so.
 */
const LIBRARY = join(
  dirname(createRequire(import.meta.url).resolve('libphonenumber-js/max')),
  '..',
);

describe('libphonenumber-js, as patched', () => {
  it.each(['build', 'es6', 'es6-modern'])(
    'keeps compiled patterns in its %s copy of matchesEntirely',
    (copy) => {
      const source = readFileSync(join(LIBRARY, copy, 'helpers/matchesEntirely.js'), 'utf8');
      expect(source).toContain('compiledPatterns.get(regularExpressionText)');
    },
  );

  it('compiles no whole-number pattern again when it parses new numbers', () => {
    const Native = globalThis.RegExp;
    const compiled: string[] = [];
    // matchesEntirely's patterns are the only ones of the form ^(?:...)$ on the parsing path.
    globalThis.RegExp = new Proxy(Native, {
      construct(target, args: [string, string?]) {
        if (/^\^\(\?:.*\)\$$/s.test(String(args[0]))) compiled.push(String(args[0]));
        return Reflect.construct(target, args);
      },
    });
    try {
      // The first number of a region compiles that region's patterns.
      parsePhoneNumberFromString('+447400100000')?.getType();
      compiled.length = 0;
      for (let i = 1; i <= 50; i++) {
        const parsed = parsePhoneNumberFromString(`+4474001${String(i).padStart(5, '0')}`);
        expect(parsed?.getType()).toBe('MOBILE');
      }
    } finally {
      globalThis.RegExp = Native;
    }
    expect(compiled).toEqual([]);
  });
});

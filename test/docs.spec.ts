import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';
import { OtpErrorCode } from 'nestjs-otp-verify';
import { Environment } from '../src/config/environment.js';

// The docs are checked from the code outwards: a variable the service reads or a code it
// answers must be documented. The contract's pages may list what another change adds later.
const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every property the environment schema validates, and every `env.X` the service's code reads. */
function variablesTheServiceReads(): string[] {
  const schema = getMetadataStorage()
    .getTargetValidationMetadatas(Environment, '', true, false)
    .map((metadata) => metadata.propertyName);
  const read = sourceFiles('src').flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b/g)].map(
      (match) => match[1],
    ),
  );
  return [...new Set([...schema, ...read])].sort();
}

/** The part of a page under one `## ` heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The backquoted names in one column of a section's table rows. */
function column(markdown: string, index: number): Set<string> {
  const cells = markdown
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) => line.split('|')[index + 1] ?? '');
  return new Set(cells.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1])));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

describe('the documentation matches the code', () => {
  it('lists every environment variable the service reads in docs/configuration.md', () => {
    const documented = column(section(read('docs/configuration.md'), 'Environment variables'), 0);
    const variables = variablesTheServiceReads();
    expect(variables).toContain('OTP_CORS_ORIGINS');
    expect(variables.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('lists every error code in docs/errors.md and in the README summary', () => {
    const codes = Object.values(OtpErrorCode);
    const inErrorsPage = column(read('docs/errors.md'), 1);
    const inReadme = column(section(read('README.md'), 'Errors'), 1);
    expect(codes.filter((code) => !inErrorsPage.has(code))).toEqual([]);
    expect(codes.filter((code) => !inReadme.has(code))).toEqual([]);
  });

  it('keeps the README a page for users, at most 400 lines, linking every docs page', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(400);
    for (const page of PAGES.filter((path) => path !== 'README.md')) {
      expect(readme).toContain(`](${page})`);
    }
  });

  it('has no link to a missing page or heading', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = read(page);
      for (const [, target] of text.matchAll(/\]\((?!https?:|mailto:)([^)\s]+)\)/g)) {
        const [file, anchor] = target.split('#');
        const path = file ? relative(ROOT, join(ROOT, dirname(page), file)) : page;
        if (!existsSync(join(ROOT, path))) {
          broken.push(`${page}: ${target}`);
          continue;
        }
        if (!anchor || !path.endsWith('.md')) continue;
        const anchors = [...read(path).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]));
        if (!anchors.includes(anchor)) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

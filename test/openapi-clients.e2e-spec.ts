import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import spectralCore from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import openapiTS, { astToString } from 'openapi-typescript';
import request from 'supertest';
import ts from 'typescript';
import { startTestApp, type TestApp } from './support/test-app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A browser or backend client as its authors would write it: types generated from the served
 * document, the README's bodies (channel left out), errors narrowed on `code`, and 429s whose
 * `Retry-After` the types promise. The `@ts-expect-error` lines fail the check if the document
 * loosens what they pin.
 */
const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

type Headers429 = paths['/api/otp/request']['post']['responses'][429]['headers'];
type Required<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
export const retryAfterIsRequired: Required<Headers429> = 'Retry-After';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000' });

export async function requestThenVerify(code: string): Promise<string> {
  const sent = await client.POST('/api/otp/request', { body: { phoneNumber: '+14155552671' } });
  if (sent.error) {
    switch (sent.error.code) {
      case 'resend_cooldown':
      case 'rate_limited':
        return 'wait ' + sent.response.headers.get('Retry-After');
      case 'unsupported_media_type':
      case 'internal_error':
        return sent.error.message;
      default:
        return sent.error.code;
    }
  }
  const seconds: number = sent.data.expiresInSeconds;
  const explicit = await client.POST('/api/otp/request', {
    body: { phoneNumber: '+1 (415) 555-2671', channel: 'sms' },
  });
  // @ts-expect-error: only the contract's channels
  await client.POST('/api/otp/request', { body: { phoneNumber: '+14155552671', channel: 'fax' } });
  const verified = await client.POST('/api/otp/verify', {
    body: { phoneNumber: '+14155552671', code },
  });
  if (verified.error) {
    if (verified.error.code === 'otp_incorrect') return 'left ' + verified.error.attemptsRemaining;
    // @ts-expect-error: not a code of the contract
    if (verified.error.code === 'no_such_code') return 'never';
    return verified.error.code;
  }
  return verified.data.status + seconds + String(explicit.error?.code);
}
`;

describe('the OpenAPI document, as client generators and linters read it', () => {
  let t: TestApp;
  let document: Record<string, unknown>;
  beforeAll(async () => {
    t = await startTestApp();
    document = (await request(t.server).get('/docs-json').expect(200)).body;
  });
  afterAll(async () => t?.close());

  it('lints clean under Spectral spectral:oas: no error, no warning', async () => {
    const spectral = new spectralCore.Spectral();
    spectral.setRuleset({ extends: [oas as never] });
    const results = await spectral.run(
      new spectralCore.Document(JSON.stringify(document, null, 2), spectralParsers.Json),
    );
    const problems = results
      .filter((result) => result.severity <= 1)
      .map((result) => `${result.code} at ${result.path.join('.')}: ${result.message}`);
    expect(problems).toEqual([]);
  });

  it('generates types with openapi-typescript that type-check an openapi-fetch client', async () => {
    const dir = join(ROOT, 'dist', `openapi-client-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'schema.ts'), astToString(await openapiTS(document as never)));
      writeFileSync(join(dir, 'client.ts'), CLIENT);
      const program = ts.createProgram([join(dir, 'client.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        skipLibCheck: true,
        types: [],
      });
      const errors = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

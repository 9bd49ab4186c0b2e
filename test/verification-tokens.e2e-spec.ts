import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

type KeyType = 'Ed25519' | 'P-256';

function keyPair(type: KeyType): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } =
    type === 'Ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The service on a real port, so the JWKS is fetched over HTTP as any backend would. */
async function startListening(env: Record<string, string>): Promise<TestApp & { url: string }> {
  const t = await startTestApp({ env: { OTP_RESEND_COOLDOWN_SECONDS: '0', ...env } });
  await t.app.listen(0, '127.0.0.1');
  return Object.assign(t, { url: (await t.app.getUrl()).replace('[::1]', '127.0.0.1') });
}

async function approve(t: TestApp, phoneNumber: string): Promise<string> {
  await request(t.server).post('/api/otp/request').send({ phoneNumber }).expect(202);
  const code = t.outbox.lastCodeFor(phoneNumber);
  const res = await request(t.server).post('/api/otp/verify').send({ phoneNumber, code });
  expect(res.status).toBe(200);
  return res.body.verificationToken as string;
}

const jwksOf = (url: string) => createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));

describe.each([
  ['Ed25519', 'EdDSA'],
  ['P-256', 'ES256'],
] as const)('verification tokens signed with an %s key', (type, alg) => {
  const { privatePem } = keyPair(type);
  let t: TestApp & { url: string };

  beforeAll(async () => {
    t = await startListening({
      OTP_TOKEN_PRIVATE_KEY: privatePem,
      OTP_TOKEN_ISSUER: 'https://verify.example.com',
      OTP_TOKEN_AUDIENCE: 'acme-backend',
      OTP_TOKEN_TTL_SECONDS: '900',
    });
  });
  afterAll(async () => t?.close());

  it('verifies with jose against the JWKS served over HTTP, checking iss, aud and sub', async () => {
    const token = await approve(t, '+447400300001');
    const { payload, protectedHeader } = await jwtVerify(token, jwksOf(t.url), {
      issuer: 'https://verify.example.com',
      audience: 'acme-backend',
      subject: '+447400300001',
      algorithms: [alg],
    });
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: expect.any(String) });
    expect(payload).toEqual({
      iss: 'https://verify.example.com',
      aud: 'acme-backend',
      sub: '+447400300001',
      phone_number: '+447400300001',
      phone_number_verified: true,
      amr: ['sms'],
      iat: expect.any(Number),
      exp: (payload.iat ?? 0) + 900,
      jti: expect.any(String),
      vid: expect.stringMatching(/^ver_[0-9A-HJKMNP-TV-Z]{26}$/),
    });
  });

  it('publishes the key with its RFC 7638 thumbprint as kid, alg and use', async () => {
    const res = await request(t.server).get('/.well-known/jwks.json').expect(200);
    expect(res.body.keys).toHaveLength(1);
    const [jwk] = res.body.keys;
    expect(jwk).toMatchObject({ alg, use: 'sig', crv: type });
    expect(jwk.d).toBeUndefined();
    // The thumbprint covers the key's required members only (crv, kty, x, y).
    expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk));
    const token = await approve(t, '+447400300002');
    expect(decodeProtectedHeader(token).kid).toBe(jwk.kid);
  });

  it('gives every approval its own jti and answers tokenExpiresInSeconds', async () => {
    const phoneNumber = '+447400300003';
    await request(t.server).post('/api/otp/request').send({ phoneNumber }).expect(202);
    const res = await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber, code: t.outbox.lastCodeFor(phoneNumber) })
      .expect(200);
    expect(res.body.tokenExpiresInSeconds).toBe(900);
    const second = await approve(t, phoneNumber);
    const ids = await Promise.all(
      [res.body.verificationToken as string, second].map(
        async (token) => (await jwtVerify(token, jwksOf(t.url))).payload.jti,
      ),
    );
    expect(new Set(ids).size).toBe(2);
  });

  it('refuses a tampered token, a token for another audience and another issuer', async () => {
    const token = await approve(t, '+447400300004');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '+447400399999' })).toString(
      'base64url',
    );
    await expect(jwtVerify(`${header}.${forged}.${signature}`, jwksOf(t.url))).rejects.toThrow(
      /signature verification failed/,
    );
    await expect(jwtVerify(token, jwksOf(t.url), { audience: 'someone-else' })).rejects.toThrow(
      /aud/,
    );
    await expect(jwtVerify(token, jwksOf(t.url), { issuer: 'otp-verify' })).rejects.toThrow(/iss/);
  });
});

describe('verification token defaults', () => {
  let t: TestApp & { url: string };
  beforeAll(async () => {
    t = await startListening({});
  });
  afterAll(async () => t?.close());

  it('signs with a per-process Ed25519 key, issuer otp-verify, no aud and 600 s', async () => {
    const token = await approve(t, '+447400300005');
    const { payload, protectedHeader } = await jwtVerify(token, jwksOf(t.url), {
      issuer: 'otp-verify',
    });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.aud).toBeUndefined();
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });
});

describe('key rotation', () => {
  const previous = keyPair('P-256');
  const current = keyPair('Ed25519');
  const started: TestApp[] = [];
  afterAll(async () => Promise.all(started.map((t) => t.close())));

  it('still verifies a token of the previous key once the service signs with the new one', async () => {
    const before = await startListening({ OTP_TOKEN_PRIVATE_KEY: previous.privatePem });
    started.push(before);
    const oldToken = await approve(before, '+447400300006');

    // The PEM arrives in one variable, newlines written as \n, as many deployment tools do.
    const after = await startListening({
      OTP_TOKEN_PRIVATE_KEY: current.privatePem.replace(/\n/g, '\\n'),
      OTP_TOKEN_PREVIOUS_PUBLIC_KEYS: previous.publicPem,
    });
    started.push(after);
    const jwks = await request(after.server).get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys.map((key: { alg: string }) => key.alg)).toEqual(['EdDSA', 'ES256']);

    const verifyAfter = jwksOf(after.url);
    await expect(jwtVerify(oldToken, verifyAfter)).resolves.toMatchObject({
      payload: { sub: '+447400300006' },
    });
    const newToken = await approve(after, '+447400300007');
    await expect(jwtVerify(newToken, verifyAfter)).resolves.toMatchObject({
      protectedHeader: { alg: 'EdDSA' },
    });

    // Without the previous key in the JWKS, the old token has no key to verify with.
    const forgetful = await startListening({ OTP_TOKEN_PRIVATE_KEY: current.privatePem });
    started.push(forgetful);
    await expect(jwtVerify(oldToken, jwksOf(forgetful.url))).rejects.toThrow(/no applicable key/i);
  });
});

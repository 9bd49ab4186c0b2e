import { Logger } from '@nestjs/common';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  type SignKeyObjectInput,
} from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, importPKCS8, importSPKI, type JWK } from 'jose';
import type { OtpTokenSettings } from './token-options.js';

export type OtpTokenAlgorithm = 'EdDSA' | 'ES256';

/** One entry of the JWKS: a public key with what a verifier needs to pick and use it. */
export type OtpPublicJwk = JWK & { kid: string; alg: OtpTokenAlgorithm; use: 'sig' };

export interface OtpJwks {
  keys: OtpPublicJwk[];
}

export interface OtpVerificationToken {
  token: string;
  expiresInSeconds: number;
}

/** The JOSE algorithm of a key, or an error that names the option and never the key. */
function algorithmOf(key: KeyObject, option: string): OtpTokenAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  throw new Error(`OtpModule option ${option} must be an Ed25519 or P-256 key`);
}

function parseKey<T>(parse: () => T, option: string, form: string): T {
  try {
    return parse();
  } catch {
    throw new Error(`OtpModule option ${option} must be a ${form} PEM key`);
  }
}

/** The public JWK with its RFC 7638 thumbprint as `kid`, through jose as any verifier would. */
async function publicJwkOf(spkiPem: string, alg: OtpTokenAlgorithm): Promise<OtpPublicJwk> {
  const jwk = await exportJWK(await importSPKI(spkiPem, alg, { extractable: true }));
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' };
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * `crypto.sign` given a callback runs on libuv's thread pool. A signature is the largest single
 * cost of an approval (tens of microseconds), and off the event loop it no longer holds up every
 * other request the process is serving.
 */
const signOffLoop = (data: Buffer, { digest, key }: SigningArguments): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    sign(digest, data, key, (error, signature) => (error ? reject(error) : resolve(signature))),
  );

/**
 * What `crypto.sign` needs for a key, chosen once: Ed25519 names no digest; ES256 is SHA-256,
 * its signature in the IEEE P1363 form JOSE requires.
 */
interface SigningArguments {
  digest: string | null;
  key: KeyObject | SignKeyObjectInput;
}

const signingArgumentsOf = (key: KeyObject, algorithm: OtpTokenAlgorithm): SigningArguments =>
  algorithm === 'EdDSA'
    ? { digest: null, key }
    : { digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } };

/**
 * Signs the `verificationToken` of each approval and publishes the keys that verify it.
 *
 * Keys, thumbprints and the JWKS go through `jose`; the signature itself is `node:crypto`'s
 * `sign`, several times faster than WebCrypto on the verify path. The result is a standard
 * compact JWS (ES256 in the IEEE P1363 form JOSE requires), checked by `jose` in tests.
 */
export class OtpTokenSigner {
  /** Header and its encoding never change for one key: encode them once. */
  private readonly encodedHeader: string;
  private readonly signing: SigningArguments;

  private constructor(
    private readonly settings: OtpTokenSettings,
    privateKey: KeyObject,
    readonly algorithm: OtpTokenAlgorithm,
    readonly keyId: string,
    private readonly publicKeys: OtpJwks,
  ) {
    this.encodedHeader = base64url(JSON.stringify({ alg: algorithm, typ: 'JWT', kid: keyId }));
    this.signing = signingArgumentsOf(privateKey, algorithm);
  }

  static async create(settings: OtpTokenSettings): Promise<OtpTokenSigner> {
    const pem =
      settings.privateKey ??
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    if (settings.privateKey === undefined) {
      new Logger(OtpTokenSigner.name).warn(
        'OtpModule option token.privateKey is not set: verification tokens are signed with a key generated for this process, so they stop verifying when it restarts and no other instance can verify them',
      );
    }
    const option = 'token.privateKey';
    const privateKey = parseKey(() => createPrivateKey(pem), option, 'PKCS#8');
    const algorithm = algorithmOf(privateKey, option);
    // jose refuses what it could not verify with; the same check a consumer would make.
    await parseKeyAsync(() => importPKCS8(pem, algorithm), option);
    const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
    const current = await publicJwkOf(spki(createPublicKey(privateKey)), algorithm);

    const keys = [current];
    for (const [index, previousPem] of settings.previousPublicKeys.entries()) {
      const previousOption = `token.previousPublicKeys[${index}]`;
      const key = parseKey(() => createPublicKey(previousPem), previousOption, 'SPKI');
      const jwk = await publicJwkOf(spki(key), algorithmOf(key, previousOption));
      if (!keys.some((known) => known.kid === jwk.kid)) keys.push(jwk);
    }
    return new OtpTokenSigner(settings, privateKey, algorithm, current.kid, { keys });
  }

  /** The JWKS document: the signing key first, then every previous key. */
  jwks(): OtpJwks {
    return { keys: this.publicKeys.keys.map((key) => ({ ...key })) };
  }

  /**
   * A token saying that `phoneNumber` (E.164) was verified by SMS just now; `test_number` tells a
   * backend that it was a test number's fixed code, not a real SMS.
   */
  async sign(phoneNumber: string, testNumber = false): Promise<OtpVerificationToken> {
    const iat = Math.floor(Date.now() / 1000);
    const { issuer, audience, ttlSeconds } = this.settings;
    const claims = {
      iss: issuer,
      ...(audience !== undefined && { aud: audience }),
      sub: phoneNumber,
      phone_number: phoneNumber,
      phone_number_verified: true,
      amr: ['sms'],
      iat,
      exp: iat + ttlSeconds,
      jti: randomUUID(),
      ...(testNumber && { test_number: true }),
    };
    const signingInput = `${this.encodedHeader}.${base64url(JSON.stringify(claims))}`;
    const signature = await signOffLoop(Buffer.from(signingInput), this.signing);
    return { token: `${signingInput}.${base64url(signature)}`, expiresInSeconds: ttlSeconds };
  }
}

async function parseKeyAsync<T>(parse: () => Promise<T>, option: string): Promise<T> {
  try {
    return await parse();
  } catch {
    throw new Error(`OtpModule option ${option} must be a PKCS#8 PEM key`);
  }
}

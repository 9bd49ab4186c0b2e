/** How approvals are signed: what a host application passes as `OtpModule` option `token`. */
export interface OtpTokenOptions {
  /**
   * PKCS#8 PEM of an Ed25519 (EdDSA) or P-256 (ES256) private key, the same on every instance.
   * When omitted, a key is generated per process: tokens then verify only against that process.
   */
  privateKey?: string;
  /** SPKI PEM public keys of earlier signing keys, still published after a rotation. */
  previousPublicKeys?: string | string[];
  /** `iss` of every token; `otp-verify` by default. */
  issuer?: string;
  /** `aud` of every token; absent when omitted. */
  audience?: string;
  /** Lifetime of a token, 60 to 86400 seconds; 600 by default. */
  ttlSeconds?: number;
}

export const OTP_TOKEN_DEFAULTS = { issuer: 'otp-verify' } as const;

export interface OtpTokenSettings {
  privateKey?: string;
  previousPublicKeys: string[];
  issuer: string;
  audience?: string;
  ttlSeconds: number;
}

const PUBLIC_KEY_PEM = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/** Splits concatenated PEM public keys, so one environment variable can hold several. */
export function splitPublicKeys(pems: string | string[] | undefined): string[] {
  const text = Array.isArray(pems) ? pems.join('\n') : (pems ?? '');
  return text.match(PUBLIC_KEY_PEM) ?? [];
}

/**
 * Applies the defaults and refuses what cannot be honoured; messages never quote a key.
 * `ttlSeconds` comes checked from the table of integer options (`resolveOtpSettings`).
 */
export function resolveOtpTokenSettings(
  options: OtpTokenOptions,
  ttlSeconds: number,
): OtpTokenSettings {
  const issuer = options.issuer ?? OTP_TOKEN_DEFAULTS.issuer;
  if (issuer.length === 0) throw new Error('OtpModule option token.issuer must not be empty');
  if (options.audience !== undefined && options.audience.length === 0) {
    throw new Error('OtpModule option token.audience must not be empty when set');
  }
  const previousPublicKeys = splitPublicKeys(options.previousPublicKeys);
  const given = Array.isArray(options.previousPublicKeys)
    ? options.previousPublicKeys.join('')
    : (options.previousPublicKeys ?? '');
  if (given.trim().length > 0 && previousPublicKeys.length === 0) {
    throw new Error(
      'OtpModule option token.previousPublicKeys must hold PEM public keys (-----BEGIN PUBLIC KEY-----)',
    );
  }
  return {
    privateKey: options.privateKey,
    previousPublicKeys,
    issuer,
    audience: options.audience,
    ttlSeconds,
  };
}

import { createPrivateKey } from 'node:crypto';
import {
  OTP_API_KEY_MIN_LENGTH,
  splitPublicKeys,
  type OtpModuleOptions,
  type OtpApiKeysOption,
  type OtpTestNumbersOption,
} from 'nestjs-otp-verify';
import type { Environment } from './environment.js';

export type TrustOptions = Pick<OtpModuleOptions, 'token' | 'apiKeys' | 'testNumbers'>;

const E164 = /^\+[1-9][0-9]{6,14}$/;
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A PEM in one environment variable often arrives with its newlines written as `\n`. */
const pemOf = (value: string | undefined): string | undefined => value?.replace(/\\n/g, '\n');

/** `a=b,c=d` into pairs; an entry without `=` is reported as a problem by the caller. */
function pairsOf(value: string): [string, string][] | undefined {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const pairs = entries.map((entry) => {
    const at = entry.indexOf('=');
    return at > 0 ? ([entry.slice(0, at).trim(), entry.slice(at + 1).trim()] as const) : undefined;
  });
  return pairs.every((pair) => pair !== undefined) ? pairs.map(([a, b]) => [a, b]) : undefined;
}

function apiKeysOf(env: Environment, problems: string[]): OtpApiKeysOption | undefined {
  if (env.OTP_API_KEYS === undefined) return undefined;
  const pairs = pairsOf(env.OTP_API_KEYS);
  // The messages name the variable and the key's name, never a key.
  if (!pairs || pairs.length === 0) {
    problems.push('OTP_API_KEYS must be name=key pairs separated by commas');
    return undefined;
  }
  const keys: OtpApiKeysOption = {};
  for (const [name, key] of pairs) {
    if (!KEY_NAME.test(name)) {
      problems.push(
        'OTP_API_KEYS: each name must be 1 to 64 letters, digits, dots, dashes or underscores',
      );
    } else if (name in keys) {
      problems.push(`OTP_API_KEYS names ${name} twice`);
    } else if (key.length < OTP_API_KEY_MIN_LENGTH) {
      problems.push(
        `OTP_API_KEYS: the key named ${name} must be at least ${OTP_API_KEY_MIN_LENGTH} characters`,
      );
    }
    keys[name] = key;
  }
  return keys;
}

function testNumbersOf(env: Environment, problems: string[]): OtpTestNumbersOption | undefined {
  if (env.OTP_TEST_NUMBERS === undefined) return undefined;
  const pairs = pairsOf(env.OTP_TEST_NUMBERS);
  if (!pairs || pairs.length === 0) {
    problems.push('OTP_TEST_NUMBERS must be number=code pairs separated by commas');
    return undefined;
  }
  const code = new RegExp(`^[0-9]{${env.OTP_LENGTH}}$`);
  const numbers: OtpTestNumbersOption = {};
  for (const [number, fixed] of pairs) {
    if (!E164.test(number)) {
      problems.push('OTP_TEST_NUMBERS: every number must be E.164 (+447400000001)');
    } else if (!code.test(fixed)) {
      problems.push(
        `OTP_TEST_NUMBERS: every code must be exactly OTP_LENGTH (${env.OTP_LENGTH}) digits`,
      );
    }
    numbers[number] = fixed;
  }
  return numbers;
}

function privateKeyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem);
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (key.asymmetricKeyType === 'ed25519') return undefined;
    if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return undefined;
  } catch {
    // Reported below, without the parser's message, which may quote the key.
  }
  return 'OTP_TOKEN_PRIVATE_KEY must be a PKCS#8 PEM Ed25519 or P-256 private key';
}

/**
 * Verification tokens, API keys and test numbers from the environment. Problems name the
 * variable; none quotes a key, a code or a PEM.
 */
export function trustOptionsOf(env: Environment): { options: TrustOptions; problems: string[] } {
  const problems: string[] = [];
  const privateKey = pemOf(env.OTP_TOKEN_PRIVATE_KEY);
  const keyProblem = privateKey === undefined ? undefined : privateKeyProblem(privateKey);
  if (keyProblem) problems.push(keyProblem);
  const previousPublicKeys = pemOf(env.OTP_TOKEN_PREVIOUS_PUBLIC_KEYS);
  if (previousPublicKeys !== undefined && splitPublicKeys(previousPublicKeys).length === 0) {
    problems.push(
      'OTP_TOKEN_PREVIOUS_PUBLIC_KEYS must hold PEM public keys (-----BEGIN PUBLIC KEY-----)',
    );
  }
  const options: TrustOptions = {
    token: {
      privateKey,
      previousPublicKeys,
      issuer: env.OTP_TOKEN_ISSUER,
      audience: env.OTP_TOKEN_AUDIENCE,
      ttlSeconds: env.OTP_TOKEN_TTL_SECONDS,
    },
    apiKeys: apiKeysOf(env, problems),
    testNumbers: testNumbersOf(env, problems),
  };
  return { options, problems };
}

import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { problemsOf } from '../../test/support/config.js';
import { loadAppConfig } from './app-config.js';

const LONG_KEY = 'k'.repeat(32);

describe('verification tokens, API keys and test numbers from the environment', () => {
  it('passes them to the module with their defaults', () => {
    const config = loadAppConfig({
      OTP_API_KEYS: `web=${LONG_KEY}, billing = ${LONG_KEY}b`,
      OTP_TEST_NUMBERS: '+447400000001=123456,+15005550006=000000',
    });
    expect(config.otp.apiKeys).toEqual({ web: LONG_KEY, billing: `${LONG_KEY}b` });
    expect(config.otp.testNumbers).toEqual({ '+447400000001': '123456', '+15005550006': '000000' });
    expect(config.otp.token).toMatchObject({ issuer: 'otp-verify', ttlSeconds: 600 });
    expect(config.otp.token?.audience).toBeUndefined();
  });

  it('names the variable and never echoes a key, a code or a PEM', () => {
    const shortKey = 'short-api-key-value';
    const message = problemsOf({
      OTP_API_KEYS: `web=${shortKey}`,
      OTP_TEST_NUMBERS: '+447400000001=98765',
      OTP_TOKEN_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5\n-----END PRIVATE KEY-----',
      OTP_TOKEN_TTL_SECONDS: '30',
    });
    expect(message).toContain('OTP_API_KEYS: the key named web must be at least 32 characters');
    expect(message).toContain('OTP_TEST_NUMBERS: every code must be exactly OTP_LENGTH (6) digits');
    expect(message).toContain('OTP_TOKEN_PRIVATE_KEY must be a PKCS#8 PEM Ed25519 or P-256');
    expect(message).toContain('OTP_TOKEN_TTL_SECONDS');
    expect(message).not.toContain(shortKey);
    expect(message).not.toContain('98765');
    expect(message).not.toContain('bm90LWEta2V5');
  });

  it('refuses pairs without a name, numbers that are not E.164 and RSA keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const message = problemsOf({
      OTP_API_KEYS: LONG_KEY,
      OTP_TEST_NUMBERS: '07400000001=123456',
      OTP_TOKEN_PRIVATE_KEY: rsa,
    });
    expect(message).toContain('OTP_API_KEYS must be name=key pairs');
    expect(message).toContain('OTP_TEST_NUMBERS: every number must be E.164');
    expect(message).toContain('OTP_TOKEN_PRIVATE_KEY must be a PKCS#8 PEM Ed25519 or P-256');
    expect(message).not.toContain(LONG_KEY);
  });

  it('refuses production without OTP_TOKEN_PRIVATE_KEY', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toContain(
      'NODE_ENV=production needs OTP_TOKEN_PRIVATE_KEY',
    );
  });
});

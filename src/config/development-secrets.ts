import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Environment } from './environment.js';

export interface DevelopmentSecrets {
  hashSecret: string;
  tokenPrivateKey?: string;
  /** What was made up for this process, by variable name; never a value. */
  warnings: string[];
}

/**
 * Outside production the service starts with nothing configured, so it makes up the two keys
 * it needs and says so. The module itself makes up no hash secret: production refuses to run
 * without both, and a host application passes its own.
 */
export function developmentSecrets(env: Environment, tokenPrivateKey?: string): DevelopmentSecrets {
  const warnings: string[] = [];
  let hashSecret = env.OTP_HASH_SECRET;
  if (hashSecret === undefined) {
    hashSecret = randomBytes(32).toString('base64url');
    warnings.push(
      'OTP_HASH_SECRET is not set: codes are hashed under a secret made up for this process (development only), so a pending code fails after a restart and on another instance',
    );
  }
  if (tokenPrivateKey === undefined) {
    tokenPrivateKey = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    warnings.push(
      'OTP_TOKEN_PRIVATE_KEY is not set: verification tokens are signed with a key made up for this process (development only), so they stop verifying after a restart and no other instance can verify them',
    );
  }
  return { hashSecret, tokenPrivateKey, warnings };
}

import { createHash, timingSafeEqual } from 'node:crypto';

/** `OtpModule` option `apiKeys`: a name for each key (`{ web: '...', billing: '...' }`). */
export type OtpApiKeysOption = Record<string, string>;

export const OTP_API_KEY_MIN_LENGTH = 32;
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * The keys a server-to-server caller must present. Only their SHA-256 digests are kept, and
 * every digest is compared with `timingSafeEqual`, so neither a key's content nor which key
 * nearly matched can be learnt from response times.
 */
export class OtpApiKeys {
  private readonly digests: { name: string; digest: Buffer }[];

  constructor(keys: OtpApiKeysOption = {}) {
    this.digests = Object.entries(keys).map(([name, key]) => ({ name, digest: digestOf(key) }));
  }

  /** Whether calls must present a key at all. */
  get required(): boolean {
    return this.digests.length > 0;
  }

  /** The name of the key presented, or undefined when it is none of them. */
  nameOf(presented: string): string | undefined {
    const digest = digestOf(presented);
    let found: string | undefined;
    // No early exit: the time taken does not depend on which key matched.
    for (const entry of this.digests) {
      if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.name;
    }
    return found;
  }
}

/** Refuses names that cannot be a log field or metric label, and short keys; never quotes a key. */
export function resolveOtpApiKeys(keys: OtpApiKeysOption | undefined): OtpApiKeys {
  for (const [name, key] of Object.entries(keys ?? {})) {
    if (!KEY_NAME.test(name)) {
      throw new Error(
        'OtpModule option apiKeys: each name must be 1 to 64 letters, digits, dots, dashes or underscores',
      );
    }
    if (typeof key !== 'string' || key.length < OTP_API_KEY_MIN_LENGTH) {
      throw new Error(
        `OtpModule option apiKeys: the key named ${name} must be at least ${OTP_API_KEY_MIN_LENGTH} characters`,
      );
    }
  }
  return new OtpApiKeys(keys);
}

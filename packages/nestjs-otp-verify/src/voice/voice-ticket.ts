import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { InvalidSignatureError } from '../otp.errors.js';

/** What a call's answer URL carries: everything the answer needs, the code included. */
export interface VoiceTicketContents {
  verificationId: string;
  /** Milliseconds since the epoch: past it, the ticket is worth nothing. */
  expiresAt: number;
  locale: string;
  code: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A key of its own, so nothing sealed here can be mistaken for anything else the secret keys. */
const PURPOSE = 'nestjs-otp-verify voice ticket v1';

/**
 * Seals a code for the URL Plivo fetches when the call is answered, so the code is never stored
 * or logged in clear: AES-256-GCM under a key derived from the hash secret (HKDF-SHA256), with
 * the verification id, the code's expiry and the locale inside the authenticated plaintext. Any
 * change to a ticket, one bit or its length, fails its tag.
 */
export class VoiceTickets {
  private readonly key: Buffer;

  constructor(hashSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', hashSecret, Buffer.alloc(0), PURPOSE, 32));
  }

  seal(contents: VoiceTicketContents): string {
    const { verificationId, expiresAt, locale, code } = contents;
    const header = Buffer.from([VERSION]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(header);
    const plaintext = [verificationId, expiresAt, locale, code].join('\n');
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** Throws `InvalidSignatureError` for anything this service did not seal. */
  open(ticket: string): VoiceTicketContents {
    const bytes = /^[A-Za-z0-9_-]{1,1024}$/.test(ticket)
      ? Buffer.from(ticket, 'base64url')
      : Buffer.alloc(0);
    // base64url decoding ignores trailing bits: only the canonical spelling of the bytes passes.
    if (bytes.length <= 1 + IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== ticket) {
      throw new InvalidSignatureError();
    }
    if (bytes[0] !== VERSION) throw new InvalidSignatureError();
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const sealed = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv).setAAD(bytes.subarray(0, 1));
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    } catch {
      throw new InvalidSignatureError();
    }
    const [verificationId, expiresAt, locale, code] = plaintext.split('\n');
    return { verificationId, expiresAt: Number(expiresAt), locale, code };
  }
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { InvalidSignatureError } from '../otp.errors.js';
import { verificationIdBytes, verificationIdOf } from '../verification/verification-id.js';

/** What a call's answer URL carries: the code, and what it belongs to. */
export interface VoiceTicketContents {
  verificationId: string;
  /** Milliseconds since the epoch (kept in whole seconds): past it, the ticket is worth nothing. */
  expiresAt: number;
  code: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ID_BYTES = 16;
const EXPIRY_BYTES = 4;
/** A key of its own, so nothing sealed here can be mistaken for anything else the secret keys. */
const PURPOSE = 'nestjs-otp-verify voice ticket v1';

/**
 * Seals a code for the URL Plivo fetches when the call is answered, so the code is never stored
 * or logged in clear: AES-256-GCM under a key derived from the hash secret (HKDF-SHA256), with
 * the verification id and the code's expiry inside the authenticated plaintext. Any change to a
 * ticket, one bit or its length, fails its tag.
 *
 * Binary, so a ticket stays under 100 characters, the longest path parameter Fastify takes by
 * default: version, IV, then sealed the id's 16 bytes, the expiry in seconds (32 bits) and the
 * code's digits, then the tag; 79 characters with a 10-digit code. The locale is the
 * verification's own, read with it.
 */
export class VoiceTickets {
  private readonly key: Buffer;

  constructor(hashSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', hashSecret, Buffer.alloc(0), PURPOSE, 32));
  }

  seal({ verificationId, expiresAt, code }: VoiceTicketContents): string {
    const header = Buffer.from([VERSION]);
    const iv = randomBytes(IV_BYTES);
    const expiry = Buffer.alloc(EXPIRY_BYTES);
    expiry.writeUInt32BE(Math.ceil(expiresAt / 1000));
    const plaintext = Buffer.concat([
      verificationIdBytes(verificationId),
      expiry,
      Buffer.from(code, 'ascii'),
    ]);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(header);
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** Throws `InvalidSignatureError` for anything this service did not seal. */
  open(ticket: string): VoiceTicketContents {
    const bytes = /^[A-Za-z0-9_-]{1,200}$/.test(ticket)
      ? Buffer.from(ticket, 'base64url')
      : Buffer.alloc(0);
    // base64url decoding ignores trailing bits: only the canonical spelling of the bytes passes.
    const minimum = 1 + IV_BYTES + ID_BYTES + EXPIRY_BYTES + TAG_BYTES;
    if (bytes.length <= minimum || bytes.toString('base64url') !== ticket) {
      throw new InvalidSignatureError();
    }
    const header = bytes.subarray(0, 1);
    if (header[0] !== VERSION) throw new InvalidSignatureError();
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const sealed = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv).setAAD(header);
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(sealed), decipher.final()]);
    } catch {
      throw new InvalidSignatureError();
    }
    return {
      verificationId: verificationIdOf(plaintext.subarray(0, ID_BYTES)),
      expiresAt: plaintext.readUInt32BE(ID_BYTES) * 1000,
      code: plaintext.subarray(ID_BYTES + EXPIRY_BYTES).toString('ascii'),
    };
  }
}

import { describe, expect, it } from '@jest/globals';
import { InvalidSignatureError } from '../otp.errors.js';
import { newVerificationId } from '../verification/verification-id.js';
import { VoiceTickets } from './voice-ticket.js';

const SECRET = 'voice-ticket-test-secret-of-32-bytes!';

describe('VoiceTickets', () => {
  const tickets = new VoiceTickets(SECRET);
  const contents = {
    verificationId: newVerificationId(),
    expiresAt: 1_800_000_000_000,
    code: '0123456789',
  };

  it('opens what it sealed, in a URL-safe ticket under 100 characters', () => {
    const ticket = tickets.seal(contents);
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{1,99}$/);
    expect(tickets.open(ticket)).toEqual(contents);
  });

  it('never carries the code in clear, and seals the same code differently each time', () => {
    const first = tickets.seal(contents);
    expect(first).not.toContain(contents.code);
    expect(Buffer.from(first, 'base64url').toString('latin1')).not.toContain(contents.code);
    expect(tickets.seal(contents)).not.toBe(first);
  });

  it('refuses a ticket with any one bit changed, cut short or lengthened', () => {
    const bytes = Buffer.from(tickets.seal(contents), 'base64url');
    for (let index = 0; index < bytes.length; index++) {
      for (let bit = 0; bit < 8; bit++) {
        const altered = Buffer.from(bytes);
        altered[index] ^= 1 << bit;
        expect(() => tickets.open(altered.toString('base64url'))).toThrow(InvalidSignatureError);
      }
    }
    const ticket = bytes.toString('base64url');
    for (const altered of [ticket.slice(0, -1), `${ticket}A`, `${ticket}==`, '', 'x'.repeat(500)]) {
      expect(() => tickets.open(altered)).toThrow(InvalidSignatureError);
    }
  });

  it('refuses another spelling of the same bytes (the unused bits of the last character)', () => {
    const ticket = tickets.seal(contents);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(ticket.slice(-1));
    const respelled = `${ticket.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(ticket, 'base64url'));
    expect(() => tickets.open(respelled)).toThrow(InvalidSignatureError);
  });

  it('refuses a ticket sealed under another secret', () => {
    const other = new VoiceTickets(`${SECRET}-rotated`);
    expect(() => tickets.open(other.seal(contents))).toThrow(InvalidSignatureError);
  });
});

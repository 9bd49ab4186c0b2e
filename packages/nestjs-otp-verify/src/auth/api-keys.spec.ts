import { describe, expect, it } from '@jest/globals';
import { resolveOtpApiKeys } from './api-keys.js';

const WEB = 'w'.repeat(40);
const BILLING = 'b'.repeat(32);

describe('OtpApiKeys', () => {
  it('names the key presented and knows no other', () => {
    const keys = resolveOtpApiKeys({ web: WEB, billing: BILLING });
    expect(keys.required).toBe(true);
    expect(keys.nameOf(WEB)).toBe('web');
    expect(keys.nameOf(BILLING)).toBe('billing');
    expect(keys.nameOf(WEB.slice(1))).toBeUndefined();
    expect(keys.nameOf('')).toBeUndefined();
  });

  it('requires nothing when no key is configured', () => {
    expect(resolveOtpApiKeys(undefined).required).toBe(false);
  });

  it('refuses a short key by its name, without quoting it', () => {
    expect(() => resolveOtpApiKeys({ web: 'short-key' })).toThrow(
      'OtpModule option apiKeys: the key named web must be at least 32 characters',
    );
    expect(() => resolveOtpApiKeys({ 'we b': WEB })).toThrow(/each name must be/);
  });
});

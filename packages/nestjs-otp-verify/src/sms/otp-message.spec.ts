import { describe, expect, it } from '@jest/globals';
import { renderOtpMessage, smsLength } from './otp-message.js';

const settings = {
  messageTemplate: '{appName}: {code} ({minutes} min)',
  appName: 'Shop',
  ttlSeconds: 90,
};

describe('renderOtpMessage', () => {
  it('fills the template, rounding the minutes up', () => {
    expect(renderOtpMessage(settings, '123456')).toBe('Shop: 123456 (2 min)');
  });

  it('puts the app hash before the WebOTP line, which browsers read only as the last line', () => {
    const text = renderOtpMessage(
      { ...settings, androidAppHash: 'FA+9qCX9VSu', webOtpDomain: 'example.com' },
      '123456',
    );
    expect(text.split('\n')).toEqual([
      'Shop: 123456 (2 min)',
      'FA+9qCX9VSu',
      '@example.com #123456',
    ]);
  });
});

describe('smsLength', () => {
  it('fits 160 GSM-7 characters in one segment, not 161', () => {
    expect(smsLength('a'.repeat(160))).toEqual({
      encoding: 'GSM-7',
      length: 160,
      singleSegmentLimit: 160,
    });
    expect(smsLength('a'.repeat(161)).length).toBe(161);
  });

  it('counts GSM-7 extension characters twice', () => {
    expect(smsLength('{code} €5').length).toBe(12);
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7', () => {
    expect(smsLength('Ваш код 123456')).toEqual({
      encoding: 'UCS-2',
      length: 14,
      singleSegmentLimit: 70,
    });
  });
});

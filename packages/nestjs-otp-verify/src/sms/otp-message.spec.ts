import { describe, expect, it } from '@jest/globals';
import { smsLength, withAppLines } from './otp-message.js';

describe('withAppLines', () => {
  it('leaves the text alone when neither line is configured', () => {
    expect(withAppLines({}, 'Shop: 123456', '123456')).toBe('Shop: 123456');
  });

  it('puts the app hash before the WebOTP line, which browsers read only as the last line', () => {
    const text = withAppLines(
      { androidAppHash: 'FA+9qCX9VSu', webOtpDomain: 'example.com' },
      'Shop: 123456',
      '123456',
    );
    expect(text.split('\n')).toEqual(['Shop: 123456', 'FA+9qCX9VSu', '@example.com #123456']);
  });
});

describe('smsLength', () => {
  it('fits 160 GSM-7 characters in one segment, not 161', () => {
    expect(smsLength('a'.repeat(160))).toEqual({
      encoding: 'GSM-7',
      length: 160,
      singleSegmentLimit: 160,
      segments: 1,
    });
    expect(smsLength('a'.repeat(161)).length).toBe(161);
    expect(smsLength('a'.repeat(161)).segments).toBe(2);
  });

  it('counts GSM-7 extension characters twice', () => {
    expect(smsLength('{code} €5').length).toBe(12);
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7', () => {
    expect(smsLength('Ваш код 123456')).toEqual({
      encoding: 'UCS-2',
      length: 14,
      singleSegmentLimit: 70,
      segments: 1,
    });
  });
});

describe('segments billed', () => {
  it('splits a long text into parts of 153 GSM-7 or 67 UCS-2 characters', () => {
    expect(smsLength('a'.repeat(306)).segments).toBe(2);
    expect(smsLength('a'.repeat(307)).segments).toBe(3);
    expect(smsLength('й'.repeat(70)).segments).toBe(1);
    expect(smsLength('й'.repeat(71)).segments).toBe(2);
    expect(smsLength('й'.repeat(135)).segments).toBe(3);
  });
});

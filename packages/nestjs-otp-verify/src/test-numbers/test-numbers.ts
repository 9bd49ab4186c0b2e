import { E164, e164AsWritten } from '../phone/phone-number.js';

/** `OtpModule` option `testNumbers`: a fixed code for each E.164 number (`{ '+447400000001': '123456' }`). */
export type OtpTestNumbersOption = Record<string, string>;

/**
 * Numbers for end-to-end suites and app-store reviewers: they receive no SMS, accept their fixed
 * code and are exempt from the per-number limits, so no one locks them out.
 */
export class OtpTestNumbers {
  private readonly codes: Map<string, string>;

  constructor(numbers: OtpTestNumbersOption = {}) {
    this.codes = new Map(Object.entries(numbers));
  }

  get size(): number {
    return this.codes.size;
  }

  /** The E.164 number and fixed code if `phoneNumber`, however it is written, is a test number. */
  match(phoneNumber: unknown): { e164: string; code: string } | undefined {
    if (this.codes.size === 0 || typeof phoneNumber !== 'string') return undefined;
    const e164 = e164AsWritten(phoneNumber);
    const code = e164 === undefined ? undefined : this.codes.get(e164);
    return e164 === undefined || code === undefined ? undefined : { e164, code };
  }
}

/** Each number must be E.164 and each code `codeLength` digits; messages never quote a code. */
export function resolveOtpTestNumbers(
  numbers: OtpTestNumbersOption | undefined,
  codeLength: number,
): OtpTestNumbers {
  const code = new RegExp(`^[0-9]{${codeLength}}$`);
  for (const [number, fixed] of Object.entries(numbers ?? {})) {
    if (!E164.test(number)) {
      throw new Error('OtpModule option testNumbers: every number must be E.164 (+447400000001)');
    }
    if (typeof fixed !== 'string' || !code.test(fixed)) {
      throw new Error(
        `OtpModule option testNumbers: every code must be exactly ${codeLength} digits (the code length)`,
      );
    }
  }
  return new OtpTestNumbers(numbers);
}

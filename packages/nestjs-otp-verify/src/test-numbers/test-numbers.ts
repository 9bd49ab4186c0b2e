import { E164, e164AsWritten, maskPhoneNumber, parsePhoneNumber } from '../phone/phone-number.js';

const lastDigits = (written: string): string => written.replace(/\D/g, '').slice(-6);

/** `OtpModule` option `testNumbers`: a fixed code for each E.164 number (`{ '+447400000001': '123456' }`). */
export type OtpTestNumbersOption = Record<string, string>;

/**
 * Numbers for end-to-end suites and app-store reviewers: they receive no SMS and accept their
 * fixed code. The cooldown and send cap do not apply, so no one is refused a code; the lockout
 * does, so the fixed code cannot be guessed by asking again and again.
 */
export class OtpTestNumbers {
  private readonly codes: Map<string, string>;
  /**
   * The last digits of each test number. However a number is written (a national prefix, a
   * `(0)`, no country code), its last digits are the subscriber's: an input that ends otherwise
   * is no test number, and is never parsed here.
   */
  private readonly endings: Set<string>;

  constructor(
    numbers: OtpTestNumbersOption = {},
    private readonly defaultCountry?: string,
  ) {
    this.codes = new Map(Object.entries(numbers));
    this.endings = new Set([...this.codes.keys()].map(lastDigits));
  }

  get size(): number {
    return this.codes.size;
  }

  /** The numbers, masked as in every log line: never the codes. */
  masked(): string[] {
    return [...this.codes.keys()].map(maskPhoneNumber);
  }

  /**
   * The E.164 number and fixed code if `phoneNumber`, in any spelling the service accepts, is a
   * test number. Written as E.164 (separators aside) it is looked up as it is; otherwise it is
   * parsed as a request would parse it, so `+44 (0) 7400 000001` is `+447400000001` and never
   * reaches a provider with a random code.
   */
  match(phoneNumber: unknown): { e164: string; code: string } | undefined {
    if (this.codes.size === 0 || typeof phoneNumber !== 'string') return undefined;
    const written = e164AsWritten(phoneNumber);
    const code = written === undefined ? undefined : this.codes.get(written);
    if (written !== undefined && code !== undefined) return { e164: written, code };
    return this.endings.has(lastDigits(phoneNumber)) ? this.parsed(phoneNumber) : undefined;
  }

  private parsed(phoneNumber: string): { e164: string; code: string } | undefined {
    let e164: string;
    try {
      e164 = parsePhoneNumber(phoneNumber, this.defaultCountry).e164;
    } catch {
      return undefined;
    }
    const code = this.codes.get(e164);
    return code === undefined ? undefined : { e164, code };
  }
}

/** Each number must be E.164 and each code `codeLength` digits; messages never quote a code. */
export function resolveOtpTestNumbers(
  numbers: OtpTestNumbersOption | undefined,
  codeLength: number,
  defaultCountry?: string,
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
  return new OtpTestNumbers(numbers, defaultCountry);
}

import type { PipeTransform } from '@nestjs/common';
import type { BodyRules } from './dto/body-rules.js';
import { OtpValidationError } from './otp.errors.js';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * Checks a body against its table of string fields and copies out only those fields. Every body
 * of the contract is a flat object of a few strings, so nothing is turned into a class instance
 * and nothing is walked: a hostile body (arrays nested thousands deep, huge arrays, `__proto__`
 * or `constructor` keys) is refused by its shape, in work bounded by its top-level keys. A
 * general-purpose transformer would recurse through whatever it is given, which is how such
 * bodies once overflowed the stack, and cost a tenth of a request's time on every call.
 */
export class OtpBodyValidationPipe implements PipeTransform<unknown, Record<string, string>> {
  private readonly fields: [string, BodyRules[string]][];

  /** `optional`: no body at all is taken as `{}`. */
  constructor(
    private readonly rules: BodyRules,
    private readonly optional = false,
  ) {
    this.fields = Object.entries(rules);
  }

  transform(body: unknown): Record<string, string> {
    if (this.optional && body === undefined) return {};
    if (!isPlainObject(body)) throw new OtpValidationError('The body must be a JSON object');
    const problems: string[] = [];
    for (const key of Object.keys(body)) {
      if (!Object.hasOwn(this.rules, key)) {
        problems.push(`property ${key.slice(0, 64)} should not exist`);
      }
    }
    const valid: Record<string, string> = {};
    for (const [field, rule] of this.fields) {
      const value = body[field];
      if (value === undefined || value === null) {
        if (rule.required) problems.push(`${field} must be a string`);
      } else if (typeof value !== 'string') {
        problems.push(`${field} must be a string`);
      } else if (value.length > rule.maxLength) {
        problems.push(`${field} must be shorter than or equal to ${rule.maxLength} characters`);
      } else if (rule.oneOf && !rule.oneOf.includes(value)) {
        problems.push(`${field} must be one of the following values: ${rule.oneOf.join(', ')}`);
      } else {
        valid[field] = value;
      }
    }
    if (problems.length > 0) throw new OtpValidationError(problems.join('; '));
    return valid;
  }
}

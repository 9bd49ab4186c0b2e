import { Injectable, Logger } from '@nestjs/common';
import { InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';

type ValidateV3Signature = (
  method: string,
  uri: string,
  nonce: string,
  authToken: string,
  signature: string,
  params?: Record<string, string>,
) => boolean;

/** A callback as it arrived: its headers, and its form fields. */
export interface PlivoCallback {
  headers: Record<string, string | string[] | undefined>;
  params: unknown;
}

/** Form fields as the signature covers them: flat, each one text. */
function isFlatForm(params: unknown): params is Record<string, string> {
  return (
    typeof params === 'object' &&
    params !== null &&
    !Array.isArray(params) &&
    Object.values(params).every((value) => typeof value === 'string')
  );
}

/**
 * Checks Plivo's `X-Plivo-Signature-V3` (HMAC-SHA256 under the auth token) with the SDK's own
 * `validateV3Signature`, over the URL the service gave Plivo, built from `publicUrl`: never from
 * the request's Host header, which the caller chooses. The SDK is an optional peer dependency,
 * loaded on the first callback; without Plivo's token or a public URL nothing checks.
 */
@Injectable()
export class PlivoSignature {
  private readonly logger = new Logger('PlivoCallbacks');
  private validator?: Promise<ValidateV3Signature | undefined>;

  constructor(@InjectOtpSettings() private readonly settings: OtpSettings) {}

  /** True when `callback` was signed by Plivo for `url` (a URL under `publicUrl`). */
  async check(url: string, { headers, params }: PlivoCallback): Promise<boolean> {
    const authToken = this.settings.sms.plivo?.authToken;
    const signature = headers['x-plivo-signature-v3'];
    const nonce = headers['x-plivo-signature-v3-nonce'];
    if (!authToken || typeof signature !== 'string' || typeof nonce !== 'string') return false;
    if (!isFlatForm(params)) return false;
    const validate = await (this.validator ??= this.loadValidator());
    return validate?.('POST', url, nonce, authToken, signature, params) === true;
  }

  private async loadValidator(): Promise<ValidateV3Signature | undefined> {
    try {
      const { default: plivo } = await import('plivo');
      return plivo.validateV3Signature as ValidateV3Signature;
    } catch (error) {
      this.logger.error(
        `Plivo callbacks need the package plivo (npm install plivo): ${(error as Error).message}`,
      );
      return undefined;
    }
  }
}

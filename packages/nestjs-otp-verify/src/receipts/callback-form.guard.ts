import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { OtpError, OtpErrorCode } from '../otp.errors.js';

/**
 * A provider's callback is a few short fields (Plivo's status callback is under 1 KiB); the
 * limit leaves room for the longest of them and for a call's answer callback.
 */
export const CALLBACK_BODY_LIMIT_BYTES = 8 * 1024;

const FORM_MEDIA_TYPE = /^application\/x-www-form-urlencoded\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Provider callbacks are form-encoded POSTs, the one kind of body the module takes that is not
 * JSON: the signature, not the media type, is what stops a forged one. Bodies of any other type,
 * or over the limit, are refused before the signature is read. On Express the host's urlencoded
 * parser has read the body by then; on the standalone service Fastify's own form parser for
 * these routes holds the same limit.
 */
@Injectable()
export class OtpCallbackFormGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !FORM_MEDIA_TYPE.test(contentType.trim())) {
      throw new OtpError(OtpErrorCode.UnsupportedMediaType);
    }
    if (Number(headers['content-length'] ?? 0) > CALLBACK_BODY_LIMIT_BYTES) {
      throw new OtpError(
        OtpErrorCode.PayloadTooLarge,
        `A callback body is at most ${CALLBACK_BODY_LIMIT_BYTES / 1024} KiB`,
      );
    }
    return true;
  }
}

import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { OtpError, OtpErrorCode } from './otp.errors.js';

/** `application/json`, with at most a UTF-8 charset; JSON has no other encoding on the web. */
const JSON_MEDIA_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Refuses every body that is not JSON before the throttler counts it or the service sends
 * anything. Form-encoded, `text/plain` and multipart bodies are what an HTML form or a `no-cors`
 * fetch on any web page can make a visitor's browser send without a CORS preflight; JSON is not.
 * A guard runs on Express and Fastify alike, so host apps get this without set-up of their own.
 */
@Injectable()
export class OtpJsonBodyGuard implements CanActivate {
  /** True for a route that also takes a POST without any body. */
  protected readonly bodyOptional: boolean = false;

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const contentType = request.headers['content-type'];
    const length = request.headers['content-length'];
    const noBody = contentType === undefined && (length === undefined || length === '0');
    if (this.bodyOptional && noBody && request.headers['transfer-encoding'] === undefined) {
      return true;
    }
    if (typeof contentType !== 'string' || !JSON_MEDIA_TYPE.test(contentType.trim())) {
      throw new OtpError(OtpErrorCode.UnsupportedMediaType);
    }
    return true;
  }
}

/** For `POST otp/verifications/:id/cancel`, which needs no body: none at all, or JSON. */
@Injectable()
export class OtpOptionalJsonBodyGuard extends OtpJsonBodyGuard {
  protected override readonly bodyOptional = true;
}

import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitedError } from '../otp.errors.js';

/**
 * The per-client limits of `OtpController`, keyed by `req.ip` (which honours the app's proxy
 * trust on Express and Fastify alike). It resolves its options and storage inside `OtpModule`,
 * so a host app needs no ThrottlerModule of its own, and one it has is left alone.
 */
@Injectable()
export class OtpThrottlerGuard extends ThrottlerGuard {
  /** A domain refusal, so the one exception filter writes the contract body and `Retry-After`. */
  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedError(Math.max(detail.timeToBlockExpire, 1));
  }
}

import type { ServerResponse } from 'node:http';
import { type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerOptions,
} from '@nestjs/throttler';
import { OtpIdempotency, type IdempotentRequest } from '../idempotency/otp-idempotency.js';
import {
  CLIENT_REQUESTS,
  type RequestWithClientCount,
} from '../challenge/challenge-context.decorator.js';
import { RateLimitedError } from '../otp.errors.js';
import { OTP_SETTINGS } from '../otp.constants.js';
import type { OtpSettings } from '../otp-options.js';
import { type RedisDeadline, requestRedisDeadline } from '../store/redis-deadline.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { REQUEST_THROTTLER } from './otp-throttler.providers.js';

const OTP_RATE_LIMIT = 'otp:rate-limit';

/** The one named per-client limit (`REQUEST_THROTTLER` or `VERIFY_THROTTLER`) a route counts against. */
export const OtpRateLimit = (throttlerName: string): MethodDecorator =>
  SetMetadata(OTP_RATE_LIMIT, throttlerName);

/**
 * The per-client limits of `OtpController`, keyed by `req.ip` (which honours the app's proxy
 * trust on Express and Fastify alike; IPv6 grouped by /64 as the base guard does). It resolves
 * its options and storage inside `OtpModule`, so a host app needs no ThrottlerModule of its own,
 * and one it has is left alone.
 */
@Injectable()
export class OtpThrottlerGuard extends ThrottlerGuard {
  /**
   * Each route's throttler, found once: the base guard reads a dozen metadata keys per throttler
   * on every request, a tenth of a verification's CPU.
   */
  private readonly throttlerOf = new WeakMap<object, ThrottlerOptions>();

  // Properties: the base guard's constructor is the throttler's own.
  @Inject(OtpIdempotency) private readonly idempotency!: OtpIdempotency;
  @Inject(OTP_SETTINGS) private readonly settings!: OtpSettings;

  /**
   * The first Redis call of a request: its deadline starts here (see store/redis-deadline.ts).
   * The base guard's steps, less the headers and user-agent lists it is configured without, and
   * keeping the client's count of hits on the request: the challenge step asks for a CAPTCHA
   * once a client has made a few requests, and reads it there rather than asking Redis again.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const throttler = this.routeThrottler(context.getHandler());
    const request = context.switchToHttp().getRequest<IdempotentRequest & RequestWithClientCount>();
    const ttl = throttler.ttl as number;
    const limit = throttler.limit as number;
    const deadline = requestRedisDeadline(request);
    // A replay counts nothing, this limit included.
    if (request.headers['idempotency-key'] !== undefined) {
      if (await this.idempotency.isReplay(request, deadline)) return true;
    }
    const tracker = await this.commonOptions.getTracker!(request as never, context);
    const key = this.generateKey(context, tracker);
    const blockMs = (throttler.blockDuration as number | undefined) ?? ttl;
    const name = throttler.name!;
    // The in-memory storage of @nestjs/throttler takes no deadline, and needs none.
    const storage = this.storageService as RedisThrottlerStorage;
    const record =
      storage instanceof RedisThrottlerStorage && this.mayRide(name)
        ? await storage.rideOrIncrement(key, ttl, limit, blockMs, name, deadline)
        : await storage.increment(key, ttl, limit, blockMs, name, deadline);
    if (record === undefined) {
      this.endWithResponse(context, deadline);
      return true;
    }
    if (record.isBlocked) {
      await this.throwThrottlingException(context, { limit, ttl, key, tracker, ...record });
    }
    request[CLIENT_REQUESTS] = record.totalHits;
    return true;
  }

  /**
   * The hit may ride on the request's first write script unless the challenge step reads the
   * client's count before anything is written: a request for a code, in `risk` mode.
   */
  private mayRide(throttlerName: string): boolean {
    return throttlerName !== REQUEST_THROTTLER || this.settings.challenge.mode !== 'risk';
  }

  /** A hit no script carried (a body refused before any write) is made once the answer is out. */
  private endWithResponse(context: ExecutionContext, deadline: RedisDeadline): void {
    const response = context
      .switchToHttp()
      .getResponse<{ raw?: ServerResponse } & ServerResponse>();
    (response.raw ?? response).once('close', () => deadline.ended());
  }

  /**
   * The client's address, as the key of its budget: the storage hashes it for Redis only when
   * it asks Redis, so a client it remembers as blocked is refused without hashing anything.
   */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  /** A domain refusal, so the one exception filter writes the contract body and `Retry-After`. */
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedError({
      waitMs: detail.timeToBlockExpire * 1000,
      windowSeconds: detail.ttl / 1000,
    });
  }

  private routeThrottler(handler: object): ThrottlerOptions {
    let throttler = this.throttlerOf.get(handler);
    if (throttler === undefined) {
      const name = this.reflector.get<string | undefined>(OTP_RATE_LIMIT, handler as never);
      throttler = this.throttlers.find((candidate) => candidate.name === name);
      // Fail closed: a guarded route must say which limit it counts against.
      if (!throttler)
        throw new Error(`${(handler as { name?: string }).name} has no @OtpRateLimit`);
      this.throttlerOf.set(handler, throttler);
    }
    return throttler;
  }
}

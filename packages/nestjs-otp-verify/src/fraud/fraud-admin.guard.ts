import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { UnauthorizedError } from '../otp.errors.js';
import { InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The admin routes exist only with an admin key, and answer only to it. Digests of equal length
 * are compared in constant time, so neither the key's bytes nor its length leak through timing.
 */
@Injectable()
export class FraudAdminGuard implements CanActivate {
  private readonly keyDigest?: Buffer;

  constructor(
    @InjectOtpSettings() { fraudGuard: settings }: OtpSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.keyDigest = settings.adminApiKey === undefined ? undefined : digest(settings.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<{
      method: string;
      url: string;
      headers: Record<string, unknown>;
    }>();
    if (!this.keyDigest) {
      // The answer any unknown route gets: nothing tells that the routes exist.
      throw new NotFoundException(`Cannot ${request.method} ${request.url}`);
    }
    const header = request.headers.authorization;
    const presented = typeof header === 'string' ? /^Bearer (.+)$/.exec(header)?.[1] : undefined;
    if (presented !== undefined && timingSafeEqual(digest(presented), this.keyDigest)) return true;
    this.adapterHost.httpAdapter.setHeader(http.getResponse(), 'WWW-Authenticate', 'Bearer');
    throw new UnauthorizedError();
  }
}

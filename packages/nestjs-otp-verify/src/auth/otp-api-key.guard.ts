import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { UnauthorizedError } from '../otp.errors.js';
import { OtpApiKeys } from './api-keys.js';

/** Where the guard leaves the name of the caller's key, for the request log and the metrics. */
export const OTP_API_KEY_NAME = 'otpApiKeyName';

interface KeyedRequest {
  headers: Record<string, string | string[] | undefined>;
  [OTP_API_KEY_NAME]?: string;
}

/** The name of the API key a request presented, once `OtpApiKeyGuard` has let it through. */
export const apiKeyNameOf = (request: object): string | undefined =>
  (request as KeyedRequest)[OTP_API_KEY_NAME];

const BEARER = /^Bearer +(\S+) *$/i;

/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
export function bearerTokenOf(request: {
  headers: Record<string, string | string[] | undefined>;
}): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

/**
 * Lets `OtpController` calls through only with a known `Authorization: Bearer <key>` when API
 * keys are configured. It runs before the throttler, so an unknown caller counts against no
 * limit and sends nothing.
 */
@Injectable()
export class OtpApiKeyGuard implements CanActivate {
  constructor(private readonly keys: OtpApiKeys) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.required) return true;
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const presented = bearerTokenOf(request);
    const name = presented === undefined ? undefined : this.keys.nameOf(presented);
    if (name === undefined) throw new UnauthorizedError();
    request[OTP_API_KEY_NAME] = name;
    return true;
  }
}

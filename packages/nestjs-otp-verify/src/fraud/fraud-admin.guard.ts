import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { OtpApiKeys } from '../auth/api-keys.js';
import { bearerTokenOf } from '../auth/otp-api-key.guard.js';
import { OtpError, OtpErrorCode, UnauthorizedError } from '../otp.errors.js';
import { InjectOtpSettings } from '../otp.decorators.js';
import type { OtpSettings } from '../otp-options.js';

/**
 * The admin routes exist only with an admin key, and answer only to it, compared in constant
 * time as the API keys are. The exception filter adds `WWW-Authenticate` to the 401.
 */
@Injectable()
export class FraudAdminGuard implements CanActivate {
  private readonly adminKey?: OtpApiKeys;

  constructor(@InjectOtpSettings() { fraudGuard: settings }: OtpSettings) {
    this.adminKey =
      settings.adminApiKey === undefined
        ? undefined
        : new OtpApiKeys({ admin: settings.adminApiKey });
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | string[] | undefined>;
    }>();
    // The answer any unknown route gets: nothing tells that the routes exist.
    if (!this.adminKey) throw new OtpError(OtpErrorCode.NotFound);
    const presented = bearerTokenOf(request);
    if (presented !== undefined && this.adminKey.nameOf(presented) !== undefined) return true;
    throw new UnauthorizedError();
  }
}

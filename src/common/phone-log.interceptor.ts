import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Observable } from 'rxjs';
import { apiKeyNameOf, maskPhoneNumber } from 'nestjs-otp-verify';

/**
 * Adds the masked phone number of an OTP call to its request log line, so support can find a
 * user's requests without the log ever holding a full number. The number is masked as typed
 * (digits only): normalising it is the service's job, and an invalid one is worth seeing too.
 */
@Injectable()
export class PhoneLogInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ body?: { phoneNumber?: unknown } }>();
    const body = request.body;
    // The name of the caller's API key, never the key: which backend made the call.
    const apiKey = apiKeyNameOf(request);
    const phoneNumber =
      typeof body?.phoneNumber === 'string'
        ? maskPhoneNumber(`+${body.phoneNumber.replace(/\D/g, '').slice(0, 20)}`)
        : undefined;
    // One assignment: each rebuilds the request logger's bindings.
    if (apiKey !== undefined || phoneNumber !== undefined) {
      this.logger.assign({
        ...(apiKey !== undefined && { apiKey }),
        ...(phoneNumber !== undefined && { phoneNumber }),
      });
    }
    return next.handle();
  }
}

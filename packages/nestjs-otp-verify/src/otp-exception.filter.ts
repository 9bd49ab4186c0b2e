import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toErrorResponse } from './otp-error-response.js';
import { OtpError, OtpErrorCode } from './otp.errors.js';

/** Where the filter leaves the contract code it answered with, for whoever counts answers. */
const ANSWERED_CODE = 'otpAnsweredCode';

/** The contract `code` of the error answer `OtpExceptionFilter` wrote for this request, if any. */
export const answeredErrorCodeOf = (request: object): OtpErrorCode | undefined =>
  (request as { [ANSWERED_CODE]?: OtpErrorCode })[ANSWERED_CODE];

/**
 * Answers an `OtpError` with the contract's error body, through whichever HTTP adapter the host
 * runs. It catches nothing else, so a host that registers it globally (for `OtpService` calls
 * from its own routes) keeps its own answers to every other error.
 */
@Catch(OtpError)
export class OtpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OtpExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const http = host.switchToHttp();
    const response = http.getResponse();
    const mapped = toErrorResponse(exception);
    if (!mapped) {
      const foreign = exception as HttpException;
      adapter.reply(response, foreign.getResponse(), foreign.getStatus());
      return;
    }
    const { status, body, retryAfterSeconds } = mapped;
    http.getRequest<{ [ANSWERED_CODE]?: OtpErrorCode }>()[ANSWERED_CODE] = body.code;
    if (status >= 500 && body.code === 'internal_error') {
      // The name and message only: the contract keeps stack traces out of logs as well.
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(`Unexpected ${error.name}: ${error.message}`);
    }
    if (body.code === OtpErrorCode.Unauthorized) {
      adapter.setHeader(response, 'WWW-Authenticate', 'Bearer');
    }
    if (retryAfterSeconds !== undefined) {
      adapter.setHeader(response, 'Retry-After', String(retryAfterSeconds));
    }
    adapter.reply(response, body, status);
  }
}

/**
 * Every failure on the module's own routes (guards, pipes, the throttler, an unexpected error)
 * as the contract's error body: bound to its controllers, so they need no global set-up and
 * leave the host's other routes alone. The standalone service also registers it globally.
 */
@Catch()
export class OtpRouteExceptionFilter extends OtpExceptionFilter {}

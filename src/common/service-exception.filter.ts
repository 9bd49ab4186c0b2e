import { type ArgumentsHost, Catch, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OtpError, OtpErrorCode, OtpRouteExceptionFilter } from 'nestjs-otp-verify';
import { pathOf } from './request-path.js';
import { methodsAllowedAt } from './route-methods.js';

/**
 * The service's own answers to what no route handled: an unknown path is `404 not_found`, a
 * known path with another method `405 method_not_allowed` with `Allow`, both with the contract's
 * body (Nest's own would quote the URL, query string included). Everything else is answered as
 * the module's routes answer it.
 */
@Catch()
export class ServiceExceptionFilter extends OtpRouteExceptionFilter {
  constructor(private readonly httpAdapterHost: HttpAdapterHost) {
    super(httpAdapterHost);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!(exception instanceof NotFoundException)) return super.catch(exception, host);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const fastify = this.httpAdapterHost.httpAdapter.getInstance<FastifyInstance>();
    const allowed = methodsAllowedAt(fastify, pathOf(request.url));
    if (allowed.length === 0 || allowed.includes(request.method)) {
      return super.catch(new OtpError(OtpErrorCode.NotFound), host);
    }
    http.getResponse<FastifyReply>().header('Allow', allowed.join(', '));
    super.catch(new OtpError(OtpErrorCode.MethodNotAllowed), host);
  }
}

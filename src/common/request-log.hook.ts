import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answeredErrorCodeOf, apiKeyNameOf, maskPhoneNumber } from 'nestjs-otp-verify';
import type { Logger } from 'pino';
import { loggedPathOf } from './request-path.js';

/** Probes poll every few seconds on every instance; a line each would drown the real traffic. */
const UNLOGGED_PATHS = /^\/(health\/|metrics\b)/;

/**
 * The masked number of an OTP call, as typed (digits only): normalising it is the service's
 * job, and an invalid one is worth seeing too. Support finds a user's requests by it.
 */
function maskedPhoneNumberOf(body: unknown): string | undefined {
  const phoneNumber = (body as { phoneNumber?: unknown } | undefined)?.phoneNumber;
  return typeof phoneNumber === 'string'
    ? maskPhoneNumber(`+${phoneNumber.replace(/\D/g, '').slice(0, 20)}`)
    : undefined;
}

/**
 * The fields of a request line, named one by one: method, path (never the query string, where a
 * careless client may have put a key), status, duration, request id,
 * the client's address as the proxy trust resolved it, the API key's name (never the key) and
 * the masked number. Bodies and headers are never logged, so codes and credentials cannot leak.
 */
function requestLine(request: FastifyRequest, reply: FastifyReply, path: string): object {
  return {
    req: {
      id: request.id,
      method: request.method,
      url: path,
      remoteAddress: request.ip,
    },
    res: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime * 10) / 10,
    apiKey: apiKeyNameOf(request),
    phoneNumber: maskedPhoneNumberOf(request.body),
  };
}

/**
 * One JSON line per answered request, refusals by the body parser and the throttler included.
 * Built by AppModule's factory with the service's root logger.
 */
export class RequestLogHook implements OnModuleInit {
  /**
   * Without the root logger's redaction: the line holds only the fields `requestLine` names, and
   * the wildcard redaction cost seven times the write of the line itself.
   */
  private readonly logger: Logger;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    logger: Logger,
  ) {
    this.logger = logger.child({}, { redact: [] });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const path = loggedPathOf(request.url);
      if (!UNLOGGED_PATHS.test(path)) {
        if (reply.statusCode >= 500) {
          // The contract code the answer carried names the failure; its cause was logged at `warn`.
          const err = {
            type: answeredErrorCodeOf(request) ?? 'Error',
            message: `failed with status code ${reply.statusCode}`,
          };
          this.logger.error({ ...requestLine(request, reply, path), err }, 'request errored');
        } else {
          this.logger.info(requestLine(request, reply, path), 'request completed');
        }
      }
      done();
    });
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { answeredErrorCodeOf, apiKeyNameOf, OtpTestNumbers } from 'nestjs-otp-verify';
import { MetricsService, type OtpOperation } from './metrics.service.js';

const OPERATIONS: Record<string, OtpOperation> = {
  '/api/otp/request': 'request',
  '/api/otp/verify': 'verify',
};

const ANSWERED_NUMBER = /"phoneNumber":"(\+\d+)"/;

/**
 * The exception filter records the code it answered with; only an answer written without it
 * (an error the platform sent itself) is read back from the payload.
 */
function errorCodeOf(request: object, payload: unknown): unknown {
  const answered = answeredErrorCodeOf(request);
  if (answered !== undefined || typeof payload !== 'string') return answered;
  try {
    return (JSON.parse(payload) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}

/** The normalised number a success answer names; read off the text, it costs no JSON parse. */
function answeredNumberOf(payload: unknown): string | undefined {
  return typeof payload === 'string' ? ANSWERED_NUMBER.exec(payload)?.[1] : undefined;
}

/**
 * Counts OTP answers from what was sent, at the last step every answer passes: refusals by the
 * throttler and the body parser never reach an interceptor, and they must be counted too.
 */
@Injectable()
export class OtpResponseHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
    private readonly testNumbers: OtpTestNumbers,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const operation = OPERATIONS[request.routeOptions.url ?? ''];
      if (operation) {
        const succeeded = reply.statusCode < 400;
        const body = request.body as { phoneNumber?: unknown } | undefined;
        const testNumber = this.testNumbers.match(body?.phoneNumber) !== undefined;
        this.metrics.answered(
          operation,
          succeeded,
          succeeded ? undefined : errorCodeOf(request, payload),
          { testNumber, apiKey: apiKeyNameOf(request) },
        );
        this.metrics.timed(operation, reply.elapsedTime / 1000);
        const e164 = succeeded && !testNumber ? answeredNumberOf(payload) : undefined;
        if (e164 !== undefined) this.metrics.converted(operation, e164);
      }
      done(null, payload);
    });
  }
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { type DestinationStream, type Logger, pino } from 'pino';

/** What a caller may pass as its own id: enough for UUIDs and trace ids, too little to forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: keeps the caller's `X-Request-Id` when it is safe, so one request can be
 * followed across services.
 */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The service's one pino logger: Nest's own messages, the module's and the request lines. The
 * redaction covers objects a log call might pass; the request line names its fields itself.
 */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: {
      // The name and message only: a stack trace is noise to an operator and maps the code.
      err: (err: { type?: string; name?: string; message?: string }) => ({
        type: err.type ?? err.name,
        message: err.message,
      }),
    },
    redact: {
      paths: [
        '*.headers.authorization',
        '*.headers.cookie',
        '*.code',
        '*.hash',
        '*.hashSecret',
        '*.authToken',
        '*.password',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * nestjs-pino makes `logger` the application's Nest logger. Its per-request middleware is not
 * mounted (`forRoutes: []`): the child logger it keeps in an AsyncLocalStorage made every await
 * of a request slower, and cost more CPU than the whole of a verify. The request line is
 * written by RequestLogHook instead.
 */
export function loggerParams(logger: Logger): Params {
  return { pinoHttp: { logger }, forRoutes: [] };
}

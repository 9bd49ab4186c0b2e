import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { ReqId } from 'pino-http';

/** What a caller may pass as its own id: enough for UUIDs and trace ids, too little to forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes poll every few seconds on every instance; a line each would drown the real traffic. */
const UNLOGGED_PATHS = /^\/(health\/|metrics\b)/;

/**
 * Fastify's `genReqId`: keeps the caller's `X-Request-Id` when it is safe, so one request can be
 * followed across services. Fastify hands the id to the request logger (middie copies it).
 */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The client's address as the proxy trust resolved it, set by an `onRequest` hook for the log. */
export interface ClientAddressed extends IncomingMessage {
  clientAddress?: string;
}

/** pino's own request serializer runs first; it keeps the raw request and the socket's peer. */
interface SerializedRequest {
  id: ReqId;
  method?: string;
  url?: string;
  remoteAddress?: string;
  raw: ClientAddressed;
}

/** Middleware sees `url` stripped of the path it was mounted on; the original is what was asked. */
const pathOf = (req: IncomingMessage & { originalUrl?: string }): string =>
  req.originalUrl ?? req.url ?? '';

/**
 * One JSON line per request: method, url, status, duration and request id. Bodies and headers
 * are left out by the serializers, so codes, numbers and credentials in them cannot leak; the
 * redaction covers objects a future log call might pass.
 */
export function loggerParams(level: string, destination?: DestinationStream): Params {
  const options = {
    level,
    autoLogging: { ignore: (req: IncomingMessage) => UNLOGGED_PATHS.test(pathOf(req)) },
    serializers: {
      req: (req: SerializedRequest) => ({
        id: req.id,
        method: req.method,
        url: pathOf(req.raw),
        remoteAddress: req.raw.clientAddress ?? req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // The name and message only: a stack trace is noise to an operator and maps the code.
      err: (err: { type?: string; message?: string }) => ({ type: err.type, message: err.message }),
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
  return {
    pinoHttp: destination ? [options, destination] : options,
    // The module's default route, `{/*splat}`, never reaches middleware on Nest 12's Fastify adapter.
    forRoutes: ['{*path}'],
    // The request's own log line carries the masked number the interceptor assigns.
    assignResponse: true,
  };
}

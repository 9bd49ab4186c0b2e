import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { OtpErrorCode } from 'nestjs-otp-verify';
import { errorBodyOf } from './error-body.js';

/** Node's errors for a request that never became one: too slow, headers too large, malformed. */
const CODE_OF: Record<string, OtpErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: OtpErrorCode.RequestTimeout,
  HPE_HEADER_OVERFLOW: OtpErrorCode.HeadersTooLarge,
};

/**
 * Fastify's `clientErrorHandler`: the answer written on the socket when Node gives up on a
 * request before any route sees it, with the contract's body instead of Fastify's, and the
 * connection closed. A reset socket gets nothing: nobody is there to read it.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = CODE_OF[error.code ?? ''] ?? OtpErrorCode.ValidationFailed;
  const message = code === OtpErrorCode.ValidationFailed ? 'The request is malformed' : undefined;
  const { status, body } = errorBodyOf(code, message);
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { CALLBACK_BODY_LIMIT_BYTES } from 'nestjs-otp-verify';

/** Where providers call back (`/api` and the module's `otp/callbacks/`): the only form routes. */
const CALLBACK_ROUTES = '/api/otp/callbacks/';

const refusal = (statusCode: number, message: string): Error =>
  Object.assign(new Error(message), { statusCode });

/**
 * Providers post their callbacks form-encoded; every other route takes JSON alone. So the form
 * parser parses for the callback routes only, within their own small limit, and answers any
 * other route's form body 415 before reading a byte of it, as Fastify did without a parser.
 */
export function parseCallbackForms(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    async (request: FastifyRequest, payload: IncomingMessage) => {
      if (!request.routeOptions.url?.startsWith(CALLBACK_ROUTES)) {
        throw refusal(415, 'Unsupported Media Type');
      }
      const chunks: Buffer[] = [];
      let length = 0;
      for await (const chunk of payload as AsyncIterable<Buffer>) {
        length += chunk.length;
        if (length > CALLBACK_BODY_LIMIT_BYTES) throw refusal(413, 'Payload Too Large');
        chunks.push(chunk);
      }
      return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    },
  );
}

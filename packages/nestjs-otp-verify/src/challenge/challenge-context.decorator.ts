import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ChallengeContext } from './challenge.service.js';

/** Where `OtpThrottlerGuard` leaves the client's request count for the challenge step. */
export const CLIENT_REQUESTS = Symbol('otpClientRequests');

export interface RequestWithClientCount {
  ip?: string;
  [CLIENT_REQUESTS]?: number;
}

/** The client's address and its request count, as the challenge step needs them (no token). */
export const ClientOfChallenge = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Omit<ChallengeContext, 'token'> => {
    const request = context.switchToHttp().getRequest<RequestWithClientCount>();
    return { clientIp: request.ip, clientRequests: request[CLIENT_REQUESTS] };
  },
);

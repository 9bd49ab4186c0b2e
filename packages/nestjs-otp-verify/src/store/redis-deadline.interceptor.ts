import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { StoreUnavailableError } from '../otp.errors.js';
import { requestRedisDeadline, withRedisDeadline } from './redis-deadline.js';

/**
 * Gives a route's handler the request's one Redis deadline (see redis-deadline.ts), the same the
 * throttler's guard used before it, and sends the undos of what completed when the request ends
 * in `store_unavailable`. The handler runs inside the subscription, so everything it awaits
 * keeps the deadline.
 */
@Injectable()
export class RedisDeadlineInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const deadline = requestRedisDeadline(context.switchToHttp().getRequest<object>());
    return new Observable((subscriber) =>
      withRedisDeadline(deadline, () =>
        next
          .handle()
          .pipe(
            tap({
              error: (error: unknown) => {
                if (error instanceof StoreUnavailableError) deadline.undo();
              },
            }),
          )
          .subscribe(subscriber),
      ),
    );
  }
}

import { Injectable } from '@nestjs/common';
import { OtpEvents } from '../events/otp-events.js';
import { InjectOtpStore } from '../otp.decorators.js';
import { VerificationNotFoundError, VerificationNotPendingError } from '../otp.errors.js';
import type { OtpStore } from '../store/otp-store.js';
import type { RedisDeadline } from '../store/redis-deadline.js';
import { toVerificationView, type VerificationView } from './verification.js';

/** A verification's status, and its cancellation; usable from a host app's own code too. */
@Injectable()
export class OtpVerifications {
  constructor(
    @InjectOtpStore() private readonly store: OtpStore,
    private readonly events: OtpEvents,
  ) {}

  /** `deadline`: an HTTP request's time for Redis (store/redis-deadline.ts); a host app's call gets its own. */
  async find(verificationId: string, deadline?: RedisDeadline): Promise<VerificationView> {
    const record = await this.store.findVerification(verificationId, deadline);
    if (!record) throw new VerificationNotFoundError();
    return toVerificationView(record);
  }

  /** Cancels a pending verification: its code stops working at once. */
  async cancel(verificationId: string, deadline?: RedisDeadline): Promise<VerificationView> {
    const result = await this.store.cancelVerification(verificationId, deadline);
    if (result.outcome === 'not_found') throw new VerificationNotFoundError();
    if (result.outcome === 'not_pending') throw new VerificationNotPendingError(result.status);
    await this.events.verification('verification.canceled', verificationId);
    return this.find(verificationId, deadline);
  }
}

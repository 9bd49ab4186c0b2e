import { Injectable } from '@nestjs/common';
import { OtpEvents } from '../events/otp-events.js';
import { InjectOtpStore } from '../otp.decorators.js';
import { VerificationNotFoundError, VerificationNotPendingError } from '../otp.errors.js';
import type { OtpStore } from '../store/otp-store.js';
import { toVerificationView, type VerificationView } from './verification.js';

/** A verification's status, and its cancellation; usable from a host app's own code too. */
@Injectable()
export class OtpVerifications {
  constructor(
    @InjectOtpStore() private readonly store: OtpStore,
    private readonly events: OtpEvents,
  ) {}

  async find(verificationId: string): Promise<VerificationView> {
    const record = await this.store.findVerification(verificationId);
    if (!record) throw new VerificationNotFoundError();
    return toVerificationView(record);
  }

  /** Cancels a pending verification: its code stops working at once. */
  async cancel(verificationId: string): Promise<VerificationView> {
    const result = await this.store.cancelVerification(verificationId);
    if (result.outcome === 'not_found') throw new VerificationNotFoundError();
    if (result.outcome === 'not_pending') throw new VerificationNotPendingError(result.status);
    await this.events.verification('verification.canceled', verificationId);
    return this.find(verificationId);
  }
}

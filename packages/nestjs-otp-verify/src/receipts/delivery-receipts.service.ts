import { Injectable, Logger, Optional } from '@nestjs/common';
import { OtpEvents } from '../events/otp-events.js';
import { InjectOtpStore, InjectSmsDeliveryObserver } from '../otp.decorators.js';
import type { SmsDeliveryObserver } from '../sms/sms-delivery-observer.js';
import type { OtpStore } from '../store/otp-store.js';
import type { AttemptStatus } from '../verification/verification.js';
import { VoiceFallback } from '../voice/voice-fallback.js';
import type { DeliveryReceipt } from './delivery-receipt.js';

/** A receipt that moved an attempt: what a follow-up (a voice call, say) needs to decide. */
export interface DeliveryStatusChange {
  verificationId: string;
  status: AttemptStatus;
  /** The code still waits to be verified: a user who never got it may yet need it. */
  stillPending: boolean;
}

/**
 * Applies providers' delivery receipts to the attempts they name, whatever the provider: the
 * attempt's status, the metrics, the events and, for an SMS that did not arrive, the voice
 * fallback. A receipt for a message the service does not know (another application's, or one
 * past its verification's retention) changes nothing.
 */
@Injectable()
export class DeliveryReceipts {
  private readonly logger = new Logger('DeliveryReceipts');

  constructor(
    @InjectOtpStore() private readonly store: OtpStore,
    private readonly events: OtpEvents,
    private readonly voiceFallback: VoiceFallback,
    @Optional() @InjectSmsDeliveryObserver() private readonly observer?: SmsDeliveryObserver,
  ) {}

  async record(receipt: DeliveryReceipt): Promise<void> {
    const result = await this.store.recordReceipt(receipt);
    if (!result?.changed) return;
    const { verificationId, status, country, pending } = result;
    this.observer?.smsDeliveryStatus?.({
      provider: receipt.provider,
      status: receipt.status,
      country,
    });
    await this.deliveryStatusChanged({ verificationId, status, stillPending: pending });
  }

  /**
   * Where every receipt that moved an attempt ends; a `sent` one is no news to anyone. The
   * receipt is already applied: a fallback that fails is logged, not answered, since Plivo's
   * retry of this receipt would change nothing and call no one.
   */
  private async deliveryStatusChanged(change: DeliveryStatusChange): Promise<void> {
    if (change.status === 'sent') return;
    const arrived = change.status === 'delivered';
    const type = arrived ? 'verification.delivered' : 'verification.undelivered';
    await this.events.verification(type, change.verificationId);
    if (arrived || !change.stillPending) return;
    await this.voiceFallback
      .callAfterUndeliveredSms(change.verificationId)
      .catch((error: Error) => this.logger.warn(`Fallback call not made: ${error.message}`));
  }
}

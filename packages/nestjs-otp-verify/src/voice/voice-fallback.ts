import { Injectable, Logger } from '@nestjs/common';
import { ChallengeNeededError, FraudGuardService } from '../fraud/fraud-guard.service.js';
import { InjectOtpSettings, InjectOtpStore } from '../otp.decorators.js';
import { OtpError, OtpErrorCode } from '../otp.errors.js';
import type { OtpSettings } from '../otp-options.js';
import { maskPhoneNumber, parsePhoneNumber } from '../phone/phone-number.js';
import { SmsDeliveryError } from '../sms/resilient-sms.provider.js';
import type { FallbackCallRefusal, OtpStore } from '../store/otp-store.js';
import { currentRedisDeadline } from '../store/redis-deadline.js';
import { statusAt, type AttemptStatus } from '../verification/verification.js';
import { OtpVoiceCalls } from './otp-voice-calls.js';

/**
 * What `callAfterUndeliveredSms` did: `called`, or `unconfirmed` (Plivo's answer was lost: the
 * call may ring), or why no call was made: `off` (no fallback configured), `not_pending` (the
 * code was approved, canceled, replaced or expired, or the verification is not an SMS one),
 * `no_ticket` (sent before the fallback was on), `already_called`, `call_limit` (the number's
 * calls in the send window), `refused` (the fraud guard or a budget), `failed` (Plivo refused).
 */
export type VoiceFallbackOutcome =
  'called' | 'unconfirmed' | 'off' | FallbackCallRefusal | 'refused' | 'failed';

/** The store's refusal, carried out of the fraud guard so that it gives the send back. */
class FallbackNotAdmitted extends Error {
  constructor(readonly outcome: FallbackCallRefusal) {
    super(outcome);
  }
}

/**
 * One call with the same code when an SMS did not arrive. The code is known only as its HMAC,
 * so the SMS's verification keeps it sealed (the call's ticket) while the fallback is on. A
 * fallback call is a send for the fraud guard and the budgets, and a call for the calls cap; it
 * is made at most once per verification, and only while its code is pending.
 */
@Injectable()
export class VoiceFallback {
  private readonly logger = new Logger('VoiceFallback');

  constructor(
    @InjectOtpSettings() private readonly settings: OtpSettings,
    @InjectOtpStore() private readonly store: OtpStore,
    private readonly fraudGuard: FraudGuardService,
    private readonly voice: OtpVoiceCalls,
  ) {}

  async callAfterUndeliveredSms(verificationId: string): Promise<VoiceFallbackOutcome> {
    if (this.settings.voice.fallback !== 'undelivered') return 'off';
    const record = await this.store.findVerification(verificationId);
    if (!record || record.channel !== 'sms' || record.test) return 'not_pending';
    if (statusAt(record, Date.now()) !== 'pending') return 'not_pending';
    const phone = parsePhoneNumber(record.phoneNumber);
    try {
      return await this.fraudGuard.guardSend(phone, () => this.call(verificationId, phone.e164));
    } catch (error) {
      if (error instanceof FallbackNotAdmitted) return error.outcome;
      if (error instanceof SmsDeliveryError) return 'failed';
      // No one is there to pass a challenge; a store failure is no refusal, and is thrown.
      const refused =
        error instanceof ChallengeNeededError ||
        (error instanceof OtpError && error.code !== OtpErrorCode.StoreUnavailable);
      if (!refused) throw error;
      this.logger.warn(`Fallback call to ${maskPhoneNumber(phone.e164)} refused: ${error.name}`);
      return 'refused';
    }
  }

  private async call(verificationId: string, e164: string): Promise<VoiceFallbackOutcome> {
    const admission = await this.store.admitFallbackCall(
      verificationId,
      this.settings.voice.maxCallsPerWindow,
    );
    if (admission.outcome !== 'admitted') throw new FallbackNotAdmitted(admission.outcome);
    const at = Date.now();
    try {
      // Plivo's time is not the store's: the record and the fraud guard's give-back keep theirs.
      await currentRedisDeadline().excluding(() => this.voice.place(e164, admission.ticket));
    } catch (error) {
      const unknown = error instanceof SmsDeliveryError && error.mayHaveBeenSent;
      await this.record(verificationId, unknown ? 'unconfirmed' : 'failed', at);
      if (unknown) return 'unconfirmed';
      throw error;
    }
    await this.record(verificationId, 'sent', at);
    return 'called';
  }

  private async record(verificationId: string, status: AttemptStatus, at: number): Promise<void> {
    const attempt = { channel: 'voice', provider: 'plivo', status, at, updatedAt: Date.now() };
    await this.store.recordAttempt(verificationId, attempt).catch(() => undefined);
  }
}

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { OtpMessages } from '../i18n/otp-messages.js';
import { OTP_CALLBACK_ROUTES } from '../otp.constants.js';
import { InjectOtpSettings, InjectOtpStore, InjectSmsDeliveryObserver } from '../otp.decorators.js';
import { ChannelUnavailableError, OtpNotFoundError } from '../otp.errors.js';
import type { OtpSettings } from '../otp-options.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { callWithRetries, type SmsRetryPolicy, smsRetryPolicy } from '../sms/provider-retries.js';
import { SmsDeliveryError } from '../sms/resilient-sms.provider.js';
import type { SmsDeliveryObserver } from '../sms/sms-delivery-observer.js';
import type { SmsFailure } from '../sms/sms-provider.js';
import type { OtpStore } from '../store/otp-store.js';
import type { RedisDeadline } from '../store/redis-deadline.js';
import { statusAt, type NewVerification } from '../verification/verification.js';
import { PlivoCallClient } from './plivo-call-client.js';
import { voiceUnavailableReason } from './voice-options.js';
import { VoiceTickets } from './voice-ticket.js';

/** Where Plivo fetches a call's script, under the module's routes. */
export const VOICE_ANSWER_PATH = 'otp/callbacks/plivo/voice';

/** Spoken twice: a user who picks up late, or mishears a digit, still gets the code. */
const SPOKEN_TIMES = 2;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);

/** The call client says what became of a call as an SMS provider does; anything else is a bug. */
const classifyCallError = (error: unknown): SmsFailure =>
  error instanceof SmsDeliveryError
    ? { kind: error.kind, reason: error.reason }
    : { kind: 'unknown', reason: 'unexpected error' };

/**
 * Calls that read a code aloud: whether they can be made here, which numbers may take one, the
 * sealed ticket of each call, placing it, and the script Plivo fetches when it is answered.
 */
@Injectable()
export class OtpVoiceCalls {
  private readonly logger = new Logger('VoiceCalls');
  private readonly tickets: VoiceTickets;
  private readonly client?: PlivoCallClient;
  private readonly unavailable?: string;
  private readonly voiceNumberTypes: string[];
  private readonly retries: SmsRetryPolicy;

  constructor(
    @InjectOtpSettings() private readonly settings: OtpSettings,
    @InjectOtpStore() private readonly store: OtpStore,
    private readonly messages: OtpMessages,
    @Optional() @Inject(OTP_CALLBACK_ROUTES) callbackRoutes = false,
    @Optional() @InjectSmsDeliveryObserver() private readonly observer?: SmsDeliveryObserver,
  ) {
    this.retries = smsRetryPolicy(settings);
    this.tickets = new VoiceTickets(settings.hashSecret);
    this.unavailable =
      voiceUnavailableReason(settings) ??
      (callbackRoutes
        ? undefined
        : 'Voice calls need the module to serve its callback routes (OtpModule extra callbackRoutes: true)');
    if (!this.unavailable && settings.sms.plivo) {
      this.client = new PlivoCallClient(settings.sms.plivo);
    }
    // A landline can take a call; premium-rate and the rest stay refused.
    const types = settings.allowedNumberTypes;
    this.voiceNumberTypes = types.includes('FIXED_LINE') ? types : [...types, 'FIXED_LINE'];
  }

  /** Throws `ChannelUnavailableError`, naming what is missing, when no call can be made. */
  assertAvailable(): void {
    if (this.unavailable) throw new ChannelUnavailableError(this.unavailable);
  }

  /** The number types a code may be sent to on `channel`. */
  numberTypesFor(channel: string): string[] {
    return channel === 'voice' ? this.voiceNumberTypes : this.settings.allowedNumberTypes;
  }

  /** The ticket of a new code: it lives as long as the code. */
  seal(verification: NewVerification, code: string): string {
    return this.tickets.seal({
      verificationId: verification.id,
      expiresAt: Date.now() + this.settings.ttlSeconds * 1000,
      code,
    });
  }

  /**
   * Rejects with `SmsDeliveryError` as an SMS send does, after the same retries: of a call Plivo
   * surely did not take, within `SMS_MAX_ATTEMPTS` and the send's deadline; never of one whose
   * answer was lost, which may ring. The ticket is never logged.
   */
  async place(to: string, ticket: string): Promise<void> {
    const client = this.client;
    if (!client) throw new ChannelUnavailableError(this.unavailable);
    const answerUrl = `${this.settings.publicUrl}/${VOICE_ANSWER_PATH}/${ticket}`;
    const { calls, durationSeconds, failure } = await callWithRetries(
      (signal) => client.place({ to, answerUrl }, signal),
      classifyCallError,
      this.retries,
      this.retries.maxAttempts,
    );
    this.observer?.voiceCall?.({
      provider: 'plivo',
      result: failure?.kind ?? 'placed',
      durationSeconds,
    });
    if (!failure) {
      this.logger.log(`Call to ${maskPhoneNumber(to)} placed by plivo`);
      return;
    }
    this.logger.warn(
      `Call to ${maskPhoneNumber(to)} via plivo failed after ${calls} attempt(s): ${failure.kind}, ${failure.reason}`,
    );
    throw new SmsDeliveryError('plivo', failure.kind, failure.reason);
  }

  /**
   * Plivo XML that speaks the ticket's code, while its verification is still pending. Throws
   * `InvalidSignatureError` for a ticket this service did not seal, `OtpNotFoundError` once the
   * code expired, was approved, canceled or replaced.
   */
  async answer(ticket: string, deadline?: RedisDeadline): Promise<string> {
    const { verificationId, expiresAt, code } = this.tickets.open(ticket);
    if (expiresAt <= Date.now()) throw new OtpNotFoundError();
    const record = await this.store.findVerification(verificationId, deadline);
    if (!record || statusAt(record, Date.now()) !== 'pending') throw new OtpNotFoundError();
    const { text, language } = this.messages.voice(record.locale, code);
    return `<Response><Speak language="${escapeXml(language)}" loop="${SPOKEN_TIMES}">${escapeXml(text)}</Speak></Response>`;
  }
}

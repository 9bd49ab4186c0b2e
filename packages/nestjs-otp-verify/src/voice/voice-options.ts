/** `OtpModule` option `voice`: calls that read the code aloud, through Plivo. */
export interface OtpVoiceOptions {
  /** Calls to one number per send window at most; 2 when omitted. */
  maxCallsPerWindow?: number;
  /**
   * `undelivered`: one call with the same code when a receipt says the SMS did not arrive and
   * the code is still pending. `off` (the default) never calls unasked.
   */
  fallback?: VoiceFallbackMode;
}

export type VoiceFallbackMode = 'off' | 'undelivered';

export interface VoiceSettings {
  maxCallsPerWindow: number;
  fallback: VoiceFallbackMode;
}

export function resolveVoiceSettings(
  options: OtpVoiceOptions,
  maxCallsPerWindow: number,
): VoiceSettings {
  const fallback = options.fallback ?? 'off';
  if (fallback !== 'off' && fallback !== 'undelivered') {
    throw new Error('OtpModule option voice.fallback must be off or undelivered');
  }
  return { maxCallsPerWindow, fallback };
}

/**
 * Why calls cannot be made with these settings, or undefined when they can. A call needs Plivo,
 * and a URL at which Plivo fetches what the call says.
 */
export function voiceUnavailableReason(settings: {
  publicUrl?: string;
  sms: { provider: string; fallbackProvider?: string; plivo?: unknown };
}): string | undefined {
  const { sms } = settings;
  if ((sms.provider !== 'plivo' && sms.fallbackProvider !== 'plivo') || !sms.plivo) {
    return 'Voice calls need Plivo as the SMS provider or fallback provider (SMS_PROVIDER or SMS_FALLBACK_PROVIDER=plivo, module option sms.provider or sms.fallbackProvider)';
  }
  if (!settings.publicUrl) {
    return 'Voice calls need the URL at which Plivo reaches this service (OTP_PUBLIC_URL, module option publicUrl)';
  }
  return undefined;
}

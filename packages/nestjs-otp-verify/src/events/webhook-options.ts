/** `OtpModule` option `webhooks`: where events go and the secret that signs them. */
export interface OtpWebhookOptions {
  /** Endpoints that receive every event. */
  urls: string[];
  /** Standard Webhooks secret: `whsec_` and base64 of 24 to 64 random bytes. */
  secret: string;
  /** How long an event is retried before it is dropped; 24 when omitted. */
  retryHours?: number;
}

export interface OtpWebhookSettings {
  urls: string[];
  /** The secret's decoded bytes, the HMAC key. */
  key: Buffer;
  retryHours: number;
}

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** Refuses what could never deliver: no URL, a URL that is not http(s), a malformed secret. */
export function resolveWebhookSettings(
  options: OtpWebhookOptions,
  retryHours: number,
): OtpWebhookSettings {
  if (options.urls.length === 0) {
    throw new Error('OtpModule option webhooks.urls must name at least one URL');
  }
  for (const url of options.urls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new Error('OtpModule option webhooks.urls must be http(s) URLs');
    }
  }
  const encoded = SECRET.exec(options.secret ?? '')?.[1];
  const key = encoded === undefined ? Buffer.alloc(0) : Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.length > 64) {
    throw new Error(
      'OtpModule option webhooks.secret must be whsec_ and base64 of 24 to 64 random bytes',
    );
  }
  return { urls: options.urls, key, retryHours };
}

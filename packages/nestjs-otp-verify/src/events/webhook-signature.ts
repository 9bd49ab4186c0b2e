import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks headers of one delivery: an HMAC-SHA256, under the secret's decoded
 * bytes, of `{id}.{timestamp}.{body}`. The timestamp is the attempt's, so a retry hours later is
 * not refused by a receiver's tolerance for old messages; the id stays the event's.
 */
export function webhookHeaders(
  key: Buffer,
  id: string,
  body: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', key)
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

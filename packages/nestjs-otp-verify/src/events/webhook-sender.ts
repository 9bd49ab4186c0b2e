import { webhookHeaders } from './webhook-signature.js';
import type { WebhookDelivery } from './otp-event.js';

/** An answer later than this is a failure, and the event is tried again. */
const DELIVERY_TIMEOUT_MS = 5000;

export class WebhookDeliveryError extends Error {
  constructor(reason: string) {
    super(`webhook not accepted: ${reason}`);
    this.name = 'WebhookDeliveryError';
  }
}

/** POSTs one event to one endpoint, signed; resolves on a 2xx within 5 s, rejects otherwise. */
export async function sendWebhook(key: Buffer, delivery: WebhookDelivery): Promise<void> {
  let response: Response;
  try {
    response = await fetch(delivery.url, {
      method: 'POST',
      headers: webhookHeaders(key, delivery.eventId, delivery.body),
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
  } catch (error) {
    // The cause's name only (a refused connection, a timeout): never a URL's credentials.
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new WebhookDeliveryError(cause);
  }
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) {
    throw new WebhookDeliveryError(`HTTP ${response.status}`);
  }
}

import type { ReceiptStatus } from './delivery-receipt.js';

/** Relative to the host, like every route of the module: `publicUrl` is the root it sits under. */
export const PLIVO_STATUS_ROUTE = 'otp/callbacks/plivo/status';

/** What each message asks Plivo to call, and what its signature must cover. */
export function plivoStatusCallbackUrl(publicUrl: string): string {
  return `${publicUrl}/${PLIVO_STATUS_ROUTE}`;
}

/**
 * Plivo's message states as attempt statuses. `queued` and `sent` say no more than the 202 did;
 * `rejected` (refused before it left Plivo) is a failure. Others (`received`, `read` of other
 * channels) say nothing about an SMS and are ignored.
 */
const PLIVO_STATUSES: Record<string, ReceiptStatus> = {
  queued: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
};

export function receiptStatusOfPlivo(status: string | undefined): ReceiptStatus | undefined {
  return status === undefined ? undefined : PLIVO_STATUSES[status.toLowerCase()];
}

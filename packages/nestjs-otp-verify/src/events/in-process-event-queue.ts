import type { OtpEventHandlers, OtpEventQueue, WebhookDelivery } from './otp-event.js';
import { attemptsWithin, retryDelayMs } from './retry-schedule.js';

/**
 * With the in-memory store (development, one process) events are delivered from memory, on the
 * same schedule, and lost with the process, as the codes are.
 */
export function openInProcessEventQueue(
  retryHours: number,
  handlers: OtpEventHandlers,
): OtpEventQueue {
  const attempts = attemptsWithin(retryHours);
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => Promise<void>): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const attempt = async (delivery: WebhookDelivery, made: number): Promise<void> => {
    try {
      await handlers.send(delivery);
    } catch {
      if (made + 1 >= attempts) handlers.dropped(delivery);
      else later(retryDelayMs(made + 1), () => attempt(delivery, made + 1));
    }
  };
  return {
    async deliver(deliveries) {
      for (const delivery of deliveries) later(0, () => attempt(delivery, 0));
    },
    async expireAt(verificationId, atMs) {
      later(Math.max(atMs - Date.now(), 0) + 1000, () =>
        handlers.onExpiry(verificationId).catch(() => undefined),
      );
    },
    depth: async () => timers.size,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

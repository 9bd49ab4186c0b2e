import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { freePort } from './redis-server.js';

/** One event as a backend receives it, its signature checked by the `standardwebhooks` package. */
export interface ReceivedEvent {
  id: string;
  timestamp: number;
  type: string;
  data: Record<string, unknown>;
  /** Every delivery of this webhook-id, the failed ones included. */
  deliveries: number;
}

/** A secret as an operator makes one: `whsec_` and base64 of 32 random bytes. */
export const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

const bodyOf = async (request: IncomingMessage): Promise<string> => {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
};

/**
 * An application's webhook endpoint on 127.0.0.1, on a port it keeps across `stop()` and
 * `start()` so a test can take it down and bring it back. It answers 2xx to each event whose
 * signature checks (keeping it once per webhook-id), 401 otherwise, or what the test scripted.
 */
export class WebhookReceiver {
  readonly events: ReceivedEvent[] = [];
  /** Deliveries whose signature did not check. */
  forged = 0;
  private readonly attempts = new Map<string, number>();
  private readonly replies: number[] = [];
  private server?: Server;

  private constructor(readonly port: number) {}

  static async start(secret = WEBHOOK_SECRET): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(await freePort());
    await receiver.listen(secret);
    return receiver;
  }

  /** Made on a free port but not listening: the endpoint is down from the first event. */
  static async down(): Promise<WebhookReceiver> {
    return new WebhookReceiver(await freePort());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/otp`;
  }

  /** Answers the next deliveries with these statuses, whatever their signature. */
  script(...statuses: number[]): void {
    this.replies.push(...statuses);
  }

  async listen(secret = WEBHOOK_SECRET): Promise<void> {
    const webhook = new Webhook(secret);
    const server = createServer((request, response) => {
      void bodyOf(request).then((body) => {
        const id = String(request.headers['webhook-id']);
        this.attempts.set(id, (this.attempts.get(id) ?? 0) + 1);
        const scripted = this.replies.shift();
        if (scripted !== undefined) return response.writeHead(scripted).end();
        let event: { type: string; data: Record<string, unknown> };
        try {
          event = webhook.verify(body, request.headers as Record<string, string>) as typeof event;
        } catch {
          this.forged += 1;
          return response.writeHead(401).end();
        }
        // At least once: a backend keeps the first of each webhook-id.
        if (!this.events.some((seen) => seen.id === id)) {
          const timestamp = Number(request.headers['webhook-timestamp']);
          this.events.push({ id, timestamp, type: event.type, data: event.data, deliveries: 0 });
        }
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  deliveriesOf(id: string): number {
    return this.attempts.get(id) ?? 0;
  }

  /** The first event of `type` about `verificationId`, once it has arrived. */
  async next(type: string, verificationId?: string, timeoutMs = 20_000): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.events.find(
        (e) =>
          e.type === type &&
          (verificationId === undefined || e.data.verificationId === verificationId),
      );
      if (event) return { ...event, deliveries: this.deliveriesOf(event.id) };
      if (Date.now() > deadline) throw new Error(`no ${type} event arrived in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

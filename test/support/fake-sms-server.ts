import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalHttpServer, type LocalHttpServer } from './local-http.js';

export type FakeProvider = 'plivo' | 'sns';
/** What a test can script replies for: each provider, and Plivo's Call API apart from its messages. */
export type FakeApi = FakeProvider | 'plivoCall';
/**
 * An HTTP status to answer with; `hang`: read the request and never answer; `reset`: read it and
 * close the connection unanswered; `{ status, afterMs }`: answer `status`, late.
 */
export type FakeReply = number | 'hang' | 'reset' | { status: number; afterMs: number };

/** One request as the fake read it off the wire, whatever it answered. */
export interface ReceivedSms {
  provider: FakeProvider;
  to: string;
  text: string;
  /** Plivo's `src`. */
  from?: string;
  /** Plivo: `authId:authToken` from Basic auth. SNS: the SigV4 access key id. */
  credential?: string;
  smsType?: string;
  senderId?: string;
  replied: FakeReply;
}

/** One call as Plivo's Call API received it. */
export interface ReceivedCall {
  to: string;
  from: string;
  answerUrl: string;
  answerMethod: string;
  /** `authId:authToken` from Basic auth. */
  credential?: string;
  replied: FakeReply;
}

/** What the service answered when the fake fetched a call's answer URL, as Plivo does on pick-up. */
export interface FetchedAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const SNS_ERROR_CODES: Record<number, string> = {
  400: 'InvalidParameter',
  403: 'AuthorizationError',
  429: 'Throttling',
};

/**
 * Plivo's Message API and SNS's Publish on one node:http server on 127.0.0.1, as the real SDKs
 * speak them. Each provider answers success unless the test scripted replies for its next requests.
 */
export class FakeSmsServer {
  readonly received: ReceivedSms[] = [];
  readonly calls: ReceivedCall[] = [];
  private readonly scripts: Record<FakeApi, FakeReply[]> = {
    plivo: [],
    sns: [],
    plivoCall: [],
  };

  private server!: LocalHttpServer;

  get url(): string {
    return this.server.url;
  }

  static async start(): Promise<FakeSmsServer> {
    const fake = new FakeSmsServer();
    fake.server = await startLocalHttpServer((req, res) => fake.handle(req, res));
    return fake;
  }

  /** Replies for the next requests to `provider`, in order; success once they are used up. */
  script(provider: FakeApi, ...replies: FakeReply[]): void {
    this.scripts[provider].push(...replies);
  }

  hits(provider: FakeApi): number {
    if (provider === 'plivoCall') return this.calls.length;
    return this.received.filter((sms) => sms.provider === provider).length;
  }

  /**
   * Fetches a call's answer URL as Plivo does once the call is picked up: with the call's
   * method, and by GET with Plivo's parameters in the query string.
   */
  async fetchAnswer(call: ReceivedCall, answerUrl = call.answerUrl): Promise<FetchedAnswer> {
    const params = new URLSearchParams({
      CallUUID: randomUUID(),
      From: call.from,
      To: call.to,
      CallStatus: 'in-progress',
      Direction: 'outbound',
    });
    const get = call.answerMethod === 'GET';
    const response = await fetch(get ? `${answerUrl}?${params}` : answerUrl, {
      method: call.answerMethod,
      ...(get ? {} : { body: params }),
    });
    const body = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), body };
  }

  /** The service's settings for the real Plivo SDK against this fake. */
  plivoEnv(authToken = 'plivo-token'): Record<string, string> {
    return {
      SMS_PROVIDER: 'plivo',
      PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
      PLIVO_AUTH_TOKEN: authToken,
      PLIVO_SENDER: '+14155550100',
      PLIVO_BASE_URL: this.url,
    };
  }

  reset(): void {
    this.received.length = 0;
    this.calls.length = 0;
    for (const replies of Object.values(this.scripts)) replies.length = 0;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (/^\/v1\/Account\/[^/]+\/Call\/$/.test(req.url ?? '')) {
      this.handleCall(req, res, body);
      return;
    }
    const plivo = /^\/v1\/Account\/[^/]+\/Message\/$/.test(req.url ?? '');
    const provider: FakeProvider = plivo ? 'plivo' : 'sns';
    const reply = this.scripts[provider].shift() ?? (plivo ? 202 : 200);
    this.received.push({
      ...(plivo ? readPlivo(req, body) : readSns(req, body)),
      provider,
      replied: reply,
    });
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    if (typeof reply === 'object') {
      setTimeout(() => this.answer(res, plivo, reply.status), reply.afterMs);
      return;
    }
    this.answer(res, plivo, reply);
  }

  /** Plivo's Call API: `201` with a request UUID, as Plivo answers a call it queued. */
  private handleCall(req: IncomingMessage, res: ServerResponse, body: string): void {
    const reply = this.scripts.plivoCall.shift() ?? 201;
    const sent = JSON.parse(body) as Record<string, string>;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    this.calls.push({
      to: sent.to,
      from: sent.from,
      answerUrl: sent.answer_url,
      answerMethod: sent.answer_method ?? 'POST',
      credential: basic && Buffer.from(basic, 'base64').toString('utf8'),
      replied: reply,
    });
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    const status = typeof reply === 'object' ? reply.status : reply;
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          status < 300
            ? { api_id: randomUUID(), message: 'call fired', request_uuid: randomUUID() }
            : { api_id: randomUUID(), error: 'fake failure' },
        ),
      );
    };
    if (typeof reply === 'object') setTimeout(write, reply.afterMs);
    else write();
  }

  private answer(res: ServerResponse, plivo: boolean, reply: number): void {
    if (res.destroyed) return;
    if (plivo) {
      const ok = reply < 300;
      res.writeHead(reply, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          ok
            ? { api_id: randomUUID(), message: 'message(s) queued', message_uuid: [randomUUID()] }
            : { api_id: randomUUID(), error: 'fake failure' },
        ),
      );
      return;
    }
    res.writeHead(reply, { 'content-type': 'text/xml' });
    res.end(
      reply < 300
        ? `<PublishResponse xmlns="${SNS_NS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`
        : `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>${reply < 500 ? 'Sender' : 'Receiver'}</Type><Code>${SNS_ERROR_CODES[reply] ?? 'InternalError'}</Code><Message>fake failure</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }
}

function readPlivo(req: IncomingMessage, body: string): Omit<ReceivedSms, 'provider' | 'replied'> {
  const { src, dst, text } = JSON.parse(body) as { src: string; dst: string; text: string };
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const credential = basic && Buffer.from(basic, 'base64').toString('utf8');
  return { to: dst, text, from: src, credential };
}

function readSns(req: IncomingMessage, body: string): Omit<ReceivedSms, 'provider' | 'replied'> {
  const form = new URLSearchParams(body);
  const attributes = new Map<string, string>();
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    attributes.set(
      form.get(`MessageAttributes.entry.${n}.Name`) ?? '',
      form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '',
    );
  }
  return {
    to: form.get('PhoneNumber') ?? '',
    text: form.get('Message') ?? '',
    credential: /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1],
    smsType: attributes.get('AWS.SNS.SMS.SMSType'),
    senderId: attributes.get('AWS.SNS.SMS.SenderID'),
  };
}

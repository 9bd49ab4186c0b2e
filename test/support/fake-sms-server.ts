import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import type { PlivoOptions } from 'nestjs-otp-verify';
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
  /** Plivo: the status callback `url` and `method` the message asked for. */
  callbackUrl?: string;
  callbackMethod?: string;
  /** Plivo: the `message_uuid` the fake answered with. */
  messageId?: string;
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

/** A status callback as Plivo sends one for a message it took. */
export interface PlivoStatusCallback {
  /** Plivo's `Status`: queued, sent, delivered, undelivered, failed. */
  status: string;
  errorCode?: string;
  /** Where the service listens, when the callback URL names a public address in front of it. */
  via?: string;
  /**
   * What the signature covers and under which token: by default the URL the message asked for,
   * under the auth token the SDK sent it with. `false`: no signature headers at all.
   */
  signed?: false | { url?: string; authToken?: string };
}

type PlivoV3Signer = (
  url: string,
  params: Record<string, string>,
  nonce: string,
  authToken: string,
) => string;

/**
 * The Plivo SDK checks signatures but makes none. Its validator's own steps (the URL with the
 * POST params as it orders them, then the HMAC with the nonce) are taken from its module, not
 * written again here, so a callback is signed exactly as the SDK will check it.
 */
function plivoV3Signer(): PlivoV3Signer {
  const file = createRequire(import.meta.url).resolve('plivo/dist/utils/v3Security.js');
  const source = `${readFileSync(file, 'utf8')}
exports.sign = (url, params, nonce, token) =>
  get_signature_v3(utf8.encode(token), construct_post_url(utf8.encode(url), params), utf8.encode(nonce));`;
  const exports: { sign?: PlivoV3Signer } = {};
  compileFunction(source, ['exports', 'require'])(exports, createRequire(file));
  return exports.sign!;
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
  private signPlivo?: PlivoV3Signer;

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

  /** The same, as a host app's `OtpModule` option `sms.plivo`. */
  plivoOptions(authToken = 'plivo-token'): PlivoOptions {
    const env = this.plivoEnv(authToken);
    return {
      authId: env.PLIVO_AUTH_ID,
      authToken: env.PLIVO_AUTH_TOKEN,
      sender: env.PLIVO_SENDER,
      baseUrl: env.PLIVO_BASE_URL,
    };
  }

  /**
   * Posts Plivo's status callback for `sms` (form-encoded, signed as Plivo signs it) to the URL
   * the message asked for, or to the same path at `via`; the service's answer.
   */
  async plivoStatus(
    sms: ReceivedSms,
    { status, errorCode, via, signed = {} }: PlivoStatusCallback,
  ): Promise<{ status: number; body: string }> {
    if (!sms.callbackUrl) throw new Error('the message asked for no status callback');
    const params: Record<string, string> = {
      From: sms.from ?? '',
      To: sms.to.replace('+', ''),
      MessageUUID: sms.messageId ?? '',
      ParentMessageUUID: sms.messageId ?? '',
      Status: status,
      MessageTime: new Date().toISOString().replace('T', ' ').slice(0, 19),
      PartInfo: '1 of 1',
      Sequence: '1',
      Units: '1',
      TotalRate: '0.00350',
      TotalAmount: '0.00350',
      ...(errorCode !== undefined && { ErrorCode: errorCode }),
    };
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
    };
    if (signed) {
      const nonce = String(randomInt(1e9, 1e10)) + String(randomInt(1e9, 1e10));
      const authToken = signed.authToken ?? sms.credential?.split(':')[1] ?? '';
      this.signPlivo ??= plivoV3Signer();
      const signature = this.signPlivo(signed.url ?? sms.callbackUrl, params, nonce, authToken);
      headers['x-plivo-signature-v3'] = signature;
      headers['x-plivo-signature-v3-nonce'] = nonce;
    }
    const path = new URL(sms.callbackUrl).pathname;
    const target = via === undefined ? sms.callbackUrl : `${via.replace(/\/+$/, '')}${path}`;
    const body = new URLSearchParams(params).toString();
    const answer = await fetch(target, { method: 'POST', headers, body });
    return { status: answer.status, body: await answer.text() };
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
    const messageId = randomUUID();
    this.received.push({
      ...(plivo ? { ...readPlivo(req, body), messageId } : readSns(req, body)),
      provider,
      replied: reply,
    });
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    if (typeof reply === 'object') {
      setTimeout(() => this.answer(res, plivo, reply.status, messageId), reply.afterMs);
      return;
    }
    this.answer(res, plivo, reply, messageId);
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

  private answer(res: ServerResponse, plivo: boolean, reply: number, messageId: string): void {
    if (res.destroyed) return;
    if (plivo) {
      const ok = reply < 300;
      res.writeHead(reply, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          ok
            ? { api_id: randomUUID(), message: 'message(s) queued', message_uuid: [messageId] }
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
  const { src, dst, text, url, method } = JSON.parse(body) as Record<string, string>;
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const credential = basic && Buffer.from(basic, 'base64').toString('utf8');
  return { to: dst, text, from: src, credential, callbackUrl: url, callbackMethod: method };
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

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalHttpServer, type LocalHttpServer } from './local-http.js';

/** One siteverify call as the fake read it off the wire. */
export interface SiteverifyCall {
  secret: string;
  response: string;
  remoteip?: string;
}

/**
 * A CAPTCHA provider on 127.0.0.1, as Turnstile, hCaptcha and reCAPTCHA speak: `POST /siteverify`
 * takes `secret`, `response` and `remoteip` as a form and answers JSON. A token decides its own
 * answer, so a test says what it wants by the token it sends:
 *
 *   `pass…`     success, once; the same token again is `timeout-or-duplicate`, as providers do
 *   `stale…`    `timeout-or-duplicate` (expired)      `refuse…`  `invalid-input-response`
 *   `score:0.3` success with a reCAPTCHA v3 score     `slow…`    no answer until the fake stops
 *
 * It also stands in for the provider's widget script (`GET /widget.js`, one stand-in for the three
 * providers' globals: a button that solves the challenge with a `pass` token) and serves the page
 * under test (`GET /page.html`), so a browser test reaches nothing but 127.0.0.1.
 */
export class FakeCaptchaServer {
  readonly calls: SiteverifyCall[] = [];
  private readonly redeemed = new Set<string>();
  private page = '';

  private server!: LocalHttpServer;

  get url(): string {
    return this.server.url;
  }

  static async start(): Promise<FakeCaptchaServer> {
    const fake = new FakeCaptchaServer();
    fake.server = await startLocalHttpServer((req, res) => fake.handle(req, res));
    return fake;
  }

  get verifyUrl(): string {
    return `${this.url}/siteverify`;
  }

  /** Serves the file at `path` as `/page.html`. */
  async servePage(path: string): Promise<void> {
    this.page = await readFile(path, 'utf8');
  }

  reset(): void {
    this.calls.length = 0;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/widget.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(WIDGET_STAND_IN);
      return;
    }
    if (req.method === 'GET' && path === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(this.page);
      return;
    }
    if (req.method !== 'POST' || path !== '/siteverify') {
      res.writeHead(404).end();
      return;
    }
    const form = new URLSearchParams(body);
    const call = {
      secret: form.get('secret') ?? '',
      response: form.get('response') ?? '',
      ...(form.has('remoteip') && { remoteip: form.get('remoteip')! }),
    };
    this.calls.push(call);
    if (call.response.startsWith('slow')) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(this.answer(call.response)));
  }

  private answer(token: string): Record<string, unknown> {
    const checked = { challenge_ts: new Date().toISOString(), hostname: '127.0.0.1' };
    const score = /^score:([\d.]+)$/.exec(token)?.[1];
    if (score !== undefined) return { success: true, score: Number(score), ...checked };
    if (token.startsWith('pass') && !this.redeemed.has(token)) {
      this.redeemed.add(token);
      return { success: true, ...checked };
    }
    const error = token.startsWith('refuse') ? 'invalid-input-response' : 'timeout-or-duplicate';
    return { success: false, 'error-codes': [error] };
  }
}

/** Each token the stand-in hands out is new, as a solved challenge's is. */
const WIDGET_STAND_IN = `(() => {
  const widget = {
    render(element, options) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Verify you are human';
      button.dataset.sitekey = options.sitekey;
      button.addEventListener('click', () => options.callback('pass-' + crypto.randomUUID()));
      element.replaceChildren(button);
      return 'widget-1';
    },
    reset() {},
    ready(callback) { callback(); },
  };
  window.turnstile = widget;
  window.hcaptcha = widget;
  window.grecaptcha = widget;
})();
`;

export const passToken = (): string => `pass-${randomUUID()}`;

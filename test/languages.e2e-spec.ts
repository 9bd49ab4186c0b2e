import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { OtpModule } from 'nestjs-otp-verify';
import { HOST_HASH_SECRET, startHostApp } from './support/host-app.js';
import { SmsOutbox } from './support/sms-outbox.js';
import { spawnService } from './support/spawn-service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FRENCH = '+33612345678';
const BRAZILIAN = '+5511987654321';
const AMERICAN = '+14155552671';
const RUSSIAN = '+79123456789';
const ESTONIAN = '+37251234567';

/** A JSON file of templates in a directory of its own, removed after the suite. */
function templatesFile(templates: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'otp-templates-'));
  const path = join(dir, 'templates.json');
  writeFileSync(path, JSON.stringify(templates));
  return path;
}

const lastText = (outbox: SmsOutbox, phoneNumber: string): string =>
  outbox.messages.findLast((message) => message.to === phoneNumber)?.text ?? 'nothing sent';

describe('languages: the text follows the request, then the country, then the default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_APP_NAME: 'Acme', OTP_RESEND_COOLDOWN_SECONDS: '0' } });
  });
  afterAll(() => t.close());

  const ask = (phoneNumber: string, locale?: string) =>
    request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber, ...(locale !== undefined && { locale }) })
      .expect(202);

  it('sends a French number a French text without being asked, and says so', async () => {
    const answer = await ask(FRENCH);
    expect(answer.body.locale).toBe('fr');
    const code = t.outbox.lastCodeFor(FRENCH);
    expect(lastText(t.outbox, FRENCH)).toBe(
      `Votre code de vérification Acme est ${code}. Il expire dans 5 minutes.`,
    );
    const status = await request(t.server)
      .get(`/api/otp/verifications/${answer.body.verificationId}`)
      .expect(200);
    expect(status.body.locale).toBe('fr');
    await request(t.server).post('/api/otp/verify').send({ phoneNumber: FRENCH, code }).expect(200);
  });

  it('falls back to the country for a tag it does not know', async () => {
    expect((await ask(FRENCH, 'xx-YY')).body.locale).toBe('fr');
    expect(lastText(t.outbox, FRENCH)).toMatch(/^Votre code de vérification/);
  });

  it('tells Brazilian from European Portuguese', async () => {
    expect((await ask(BRAZILIAN)).body.locale).toBe('pt-BR');
    expect(lastText(t.outbox, BRAZILIAN)).toMatch(/^Seu código Acme é \d{6}\. Válido por 5/);
    expect((await ask(BRAZILIAN, 'pt')).body.locale).toBe('pt');
    expect(lastText(t.outbox, BRAZILIAN)).toMatch(/^O seu código Acme é \d{6}\. É válido/);
    expect((await ask(AMERICAN, 'pt_br')).body.locale).toBe('pt-BR');
  });

  it('honours the request over the country: German for a US number', async () => {
    expect((await ask(AMERICAN, 'de')).body.locale).toBe('de');
    const code = t.outbox.lastCodeFor(AMERICAN);
    expect(lastText(t.outbox, AMERICAN)).toBe(
      `Ihr Bestätigungscode für Acme lautet ${code}. Er ist 5 Minuten gültig.`,
    );
  });

  it('gives a number whose language has no text the default, English', async () => {
    expect((await ask(ESTONIAN)).body.locale).toBe('en');
    expect(lastText(t.outbox, ESTONIAN)).toMatch(/^Your Acme verification code is \d{6}\./);
  });
});

describe('languages: the operator texts (OTP_MESSAGE_TEMPLATES, OTP_DEFAULT_LOCALE)', () => {
  let t: TestApp;
  const file = templatesFile({
    fr: 'Code {appName} : {code} ({minutes, plural, one {# minute} other {# minutes}})',
    et: 'Sinu {appName} kood on {code}.',
  });
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        OTP_MESSAGE_TEMPLATES: file,
        OTP_DEFAULT_LOCALE: 'de',
        OTP_WEBOTP_DOMAIN: 'example.com',
        OTP_TTL_SECONDS: '60',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(join(file, '..'), { recursive: true, force: true });
  });

  it('sends the operator text for its locale, with the WebOTP line last', async () => {
    await request(t.server).post('/api/otp/request').send({ phoneNumber: FRENCH }).expect(202);
    const code = t.outbox.lastCodeFor(FRENCH);
    expect(lastText(t.outbox, FRENCH)).toBe(`Code OTP : ${code} (1 minute)\n@example.com #${code}`);
  });

  it('makes a configured locale the choice of its country, and the default the last resort', async () => {
    const estonian = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: ESTONIAN })
      .expect(202);
    expect(estonian.body.locale).toBe('et');
    const american = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: AMERICAN, locale: 'sw' })
      .expect(202);
    expect(american.body.locale).toBe('en');
    const lithuanian = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '+37061234567', locale: 'xx' })
      .expect(202);
    expect(lithuanian.body.locale).toBe('de');
  });
});

describe('languages: start-up refusals of the built service', () => {
  const file = templatesFile({ fr: 'Votre code Acme' });
  afterAll(() => rmSync(join(file, '..'), { recursive: true, force: true }));

  it('refuses a template without {code}, naming its locale', async () => {
    const service = spawnService({ OTP_MESSAGE_TEMPLATES: file });
    try {
      expect(await service.exited).toBe(1);
      expect(service.stderr()).toContain(
        'OTP_MESSAGE_TEMPLATES (OtpModule option messageTemplates): the fr text must contain {code}',
      );
    } finally {
      await service.stop();
    }
  });
});

describe('languages: segments billed, by locale', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      realSms: true,
      env: {
        SMS_PROVIDER: 'console',
        OTP_WEBOTP_DOMAIN: 'example.com',
        OTP_ANDROID_APP_HASH: 'FA+9qCX9VSu',
      },
    });
  });
  afterAll(() => t.close());

  it('counts one segment for a GSM-7 text and two for a UCS-2 text past 70 characters', async () => {
    for (const phoneNumber of [FRENCH, RUSSIAN]) {
      await request(t.server).post('/api/otp/request').send({ phoneNumber }).expect(202);
    }
    const scrape = (await request(t.server).get('/metrics').expect(200)).text;
    expect(scrape).toContain('otp_sms_segments_total{locale="fr"} 1');
    expect(scrape).toContain('otp_sms_segments_total{locale="ru"} 2');
  });
});

describe('languages: the module options in an Express host app', () => {
  let app: INestApplication;
  const outbox = new SmsOutbox();
  beforeAll(async () => {
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            hashSecret: HOST_HASH_SECRET,
            appName: 'Shop',
            defaultLocale: 'nl',
            messageTemplates: { 'de-CH': 'Ihr Shop-Code: {code}' },
          }),
        ],
      },
      outbox,
    );
  });
  afterAll(() => app.close());

  it('uses the host texts and default locale', async () => {
    const swiss = await request(app.getHttpServer())
      .post('/otp/request')
      .send({ phoneNumber: AMERICAN, locale: 'de_ch' })
      .expect(202);
    expect(swiss.body.locale).toBe('de-CH');
    expect(lastText(outbox, AMERICAN)).toBe(`Ihr Shop-Code: ${outbox.lastCodeFor(AMERICAN)}`);
    const estonian = await request(app.getHttpServer())
      .post('/otp/request')
      .send({ phoneNumber: ESTONIAN })
      .expect(202);
    expect(estonian.body.locale).toBe('nl');
    expect(lastText(outbox, ESTONIAN)).toMatch(/^Je verificatiecode voor Shop is \d{6}\./);
  });

  it('refuses a default locale without a text at start-up', async () => {
    await expect(
      startHostApp(
        { imports: [OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET, defaultLocale: 'et' })] },
        new SmsOutbox(),
      ),
    ).rejects.toThrow(
      'OTP_DEFAULT_LOCALE (OtpModule option defaultLocale): et has no built-in text',
    );
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  type INestApplication,
  Post,
} from '@nestjs/common';
import { APP_FILTER, RouterModule } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { OtpExceptionFilter, OtpModule, OtpService, type OtpModuleExtras } from 'nestjs-otp-verify';
import { HOST_HASH_SECRET, startHostApp } from './support/host-app.js';
import { SmsOutbox } from './support/sms-outbox.js';

const PHONE = '+447400123471';

/** Routes of the host's own, with the answers Nest gives them when nothing maps its errors. */
@Controller('host')
class HostController {
  constructor(private readonly otp: OtpService) {}

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('refuse')
  refuse(): never {
    throw new BadRequestException('the host refuses this in its own words');
  }

  /** An `OtpError` from the host's own use of the service, which the global filter answers. */
  @Get('verify')
  async verify(): Promise<void> {
    await this.otp.verifyCode('+447400123499', '123456');
  }
}

describe('an Express host with setGlobalPrefix("v1") and OtpExceptionFilter registered globally', () => {
  const outbox = new SmsOutbox();
  let app: INestApplication;

  beforeAll(async () => {
    app = await startHostApp(
      {
        imports: [OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET })],
        controllers: [HostController],
        providers: [{ provide: APP_FILTER, useClass: OtpExceptionFilter }],
      },
      outbox,
      'Express',
      (host) => host.setGlobalPrefix('v1'),
    );
  });
  afterAll(async () => app?.close());

  it('serves the module under the host prefix: /v1/otp/request and /v1/otp/verify', async () => {
    const server = app.getHttpServer();
    await request(server).post('/v1/otp/request').send({ phoneNumber: PHONE }).expect(202);
    const verified = await request(server)
      .post('/v1/otp/verify')
      .send({ phoneNumber: PHONE, code: outbox.lastCodeFor(PHONE) })
      .expect(200);
    expect(verified.body.status).toBe('approved');
    await request(server).get('/v1/.well-known/jwks.json').expect(200);
    for (const path of ['/otp/request', '/api/otp/request', '/v1/api/otp/request']) {
      await request(server).post(path).send({ phoneNumber: PHONE }).expect(404);
    }
  });

  it('answers the contract bodies on its own routes, without the global filter', async () => {
    const refused = await request(app.getHttpServer()).post('/v1/otp/request').send({});
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
  });

  it("leaves the host's own 400s and 413s as the host answers them", async () => {
    const server = app.getHttpServer();
    const refused = await request(server).get('/v1/host/refuse').expect(400);
    expect(refused.body).toEqual({
      statusCode: 400,
      message: 'the host refuses this in its own words',
      error: 'Bad Request',
    });
    const malformed = await request(server)
      .post('/v1/host/echo')
      .set('Content-Type', 'application/json')
      .send('{"unfinished":')
      .expect(400);
    expect(malformed.body.code).toBeUndefined();
    expect(malformed.body.message).not.toBe('The body is not valid JSON');
    // Over the module's 16 KiB, under Express's 100 KB: the host's route takes it.
    const mid = { text: 'x'.repeat(40 * 1024) };
    await request(server).post('/v1/host/echo').send(mid).expect(201, mid);
    const large = await request(server)
      .post('/v1/host/echo')
      .send({ text: 'x'.repeat(200 * 1024) })
      .expect(413);
    expect(large.body.code).toBeUndefined();
    expect(JSON.stringify(large.body)).not.toContain('16 KiB');
  });

  it("answers an OtpError from the host's own routes with the contract body", async () => {
    const res = await request(app.getHttpServer()).get('/v1/host/verify').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'otp_not_found' });
  });
});

describe('routes a host chooses', () => {
  const outbox = new SmsOutbox();
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const hostWith = async (extras: Partial<OtpModuleExtras>) => {
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({
            hashSecret: HOST_HASH_SECRET,
            fraudGuard: { adminApiKey: 'host-admin-key-of-at-least-32-characters' },
            ...extras,
          }),
        ],
      },
      outbox,
    );
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    return { server: app.getHttpServer(), document, paths: Object.keys(document.paths).sort() };
  };

  it('leaves out the JWKS and admin routes when asked, from the server and the document', async () => {
    const { server, document, paths } = await hostWith({ jwksRoute: false });
    expect(paths).toEqual(['/otp/request', '/otp/verify']);
    expect(JSON.stringify(document)).not.toMatch(/bearer|security/i);
    await request(server).get('/.well-known/jwks.json').expect(404);
    await request(server).get('/admin/fraud/prefixes').expect(404);
  });

  it('serves and documents the JWKS by default, and the admin routes when enabled', async () => {
    expect((await hostWith({})).paths).toEqual([
      '/.well-known/jwks.json',
      '/otp/request',
      '/otp/verify',
    ]);
    await app?.close();
    const { server, paths } = await hostWith({ fraudAdminRoutes: true });
    expect(paths).toContain('/admin/fraud/prefixes');
    await request(server).get('/admin/fraud/prefixes').expect(401);
  });

  it("lets the host's RouterModule place the routes", async () => {
    app = await startHostApp(
      {
        imports: [
          OtpModule.forRoot({ hashSecret: HOST_HASH_SECRET }),
          RouterModule.register([{ path: 'auth', module: OtpModule }]),
        ],
      },
      outbox,
    );
    await request(app.getHttpServer())
      .post('/auth/otp/request')
      .send({ phoneNumber: '+447400123472' })
      .expect(202);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Operation {
  requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
  responses: Record<
    string,
    { content?: { 'application/json': { examples?: Record<string, unknown> } } }
  >;
}

describe('the OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  let document: {
    openapi: string;
    paths: Record<string, { post: Operation }>;
    components: {
      schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }>;
    };
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: { OTP_ADMIN_API_KEY: 'openapi-admin-key-of-32-characters-or-more' },
    });
    document = (await request(t.server).get('/docs-json').expect(200)).body;
  });
  afterAll(async () => t.close());

  const examplesOf = (path: string, status: string): string[] =>
    Object.keys(
      document.paths[path].post.responses[status]?.content?.['application/json'].examples ?? {},
    ).sort();

  it('serves Swagger UI at /docs', async () => {
    const page = await request(t.server).get('/docs').expect(200);
    expect(page.text).toContain('Swagger UI');
  });

  it('describes POST /api/otp/request with every answer it can give', () => {
    expect(document.openapi).toMatch(/^3\./);
    const operation = document.paths['/api/otp/request'].post;
    expect(operation.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/RequestOtpDto',
    );
    expect(Object.keys(operation.responses).sort()).toEqual([
      '202',
      '400',
      '403',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
      '502',
      '503',
    ]);
    expect(examplesOf('/api/otp/request', '409')).toEqual(['idempotency_key_in_use']);
    const header = (operation as unknown as { parameters: { name: string; in: string }[] })
      .parameters;
    expect(header).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
    );
    expect(examplesOf('/api/otp/request', '400')).toEqual([
      'channel_unavailable',
      'invalid_phone_number',
      'validation_failed',
    ]);
    expect(examplesOf('/api/otp/request', '403')).toEqual([
      'captcha_failed',
      'captcha_required',
      'delivery_blocked',
      'phone_number_not_allowed',
    ]);
    expect(examplesOf('/api/otp/request', '503')).toEqual([
      'captcha_unavailable',
      'store_unavailable',
    ]);
    expect(examplesOf('/api/otp/request', '429')).toEqual([
      'country_send_limit_exceeded',
      'global_send_limit_exceeded',
      'phone_locked',
      'rate_limited',
      'resend_cooldown',
      'send_limit_exceeded',
    ]);
  });

  it('describes POST /api/otp/verify with every answer it can give', () => {
    const operation = document.paths['/api/otp/verify'].post;
    expect(Object.keys(operation.responses).sort()).toEqual([
      '200',
      '400',
      '403',
      '404',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);
    expect(examplesOf('/api/otp/verify', '400')).toEqual([
      'invalid_phone_number',
      'otp_incorrect',
      'validation_failed',
    ]);
    expect(examplesOf('/api/otp/verify', '403')).toEqual(['captcha_failed', 'captcha_required']);
    expect(examplesOf('/api/otp/verify', '503')).toEqual([
      'captcha_unavailable',
      'store_unavailable',
    ]);
    expect(examplesOf('/api/otp/verify', '429')).toEqual([
      'otp_attempts_exceeded',
      'phone_locked',
      'rate_limited',
    ]);
  });

  it('describes the status and cancel routes of a verification', () => {
    const paths = document.paths as unknown as Record<string, Record<string, Operation>>;
    const status = paths['/api/otp/verifications/{verificationId}'].get;
    expect(Object.keys(status.responses).sort()).toEqual(['200', '404', '500', '503']);
    const cancel = paths['/api/otp/verifications/{verificationId}/cancel'].post;
    expect(Object.keys(cancel.responses).sort()).toEqual([
      '200',
      '400',
      '404',
      '409',
      '415',
      '500',
      '503',
    ]);
    const schema = document.components.schemas.VerificationResponseDto;
    expect(Object.keys(schema.properties).sort()).toEqual([
      'attempts',
      'channel',
      'country',
      'createdAt',
      'expiresAt',
      'locale',
      'phoneNumber',
      'status',
      'test',
      'updatedAt',
      'verificationId',
      'wrongCodes',
    ]);
    expect((schema.properties.status as { enum: string[] }).enum.sort()).toEqual([
      'approved',
      'canceled',
      'expired',
      'failed',
      'max_attempts_reached',
      'pending',
    ]);
  });

  it('describes the fraud guard admin routes behind the admin key', () => {
    const paths = document.paths as unknown as Record<string, Record<string, Operation>>;
    const list = paths['/admin/fraud/prefixes'].get;
    expect(Object.keys(list.responses).sort()).toEqual(['200', '401', '503']);
    for (const path of ['/admin/fraud/prefixes/{prefix}', '/admin/fraud/countries/{country}']) {
      const release = paths[path].delete;
      expect(Object.keys(release.responses).sort()).toEqual(['204', '401', '404', '503']);
    }
    expect(Object.keys(document.components.schemas.QuarantinedPrefixDto.properties).sort()).toEqual(
      ['approvals', 'conversion', 'country', 'prefix', 'quarantinedUntil', 'sends'],
    );
  });

  it('documents the request bodies and the error body', () => {
    const { schemas } = document.components;
    expect(Object.keys(schemas.RequestOtpDto.properties).sort()).toEqual([
      'captchaToken',
      'channel',
      'locale',
      'phoneNumber',
    ]);
    expect(schemas.RequestOtpDto.required).toEqual(['phoneNumber']);
    expect(Object.keys(schemas.VerifyOtpDto.properties).sort()).toEqual([
      'captchaToken',
      'code',
      'phoneNumber',
    ]);
    expect(Object.keys(schemas.ErrorResponseDto.properties).sort()).toEqual([
      'attemptsRemaining',
      'captcha',
      'code',
      'mayHaveBeenSent',
      'message',
      'status',
      'statusCode',
    ]);
  });
});

describe('the OpenAPI document without OTP_ADMIN_API_KEY', () => {
  it('has no admin route, tag or bearer scheme, as the routes do not exist', async () => {
    const t = await startTestApp();
    try {
      const { body } = await request(t.server).get('/docs-json').expect(200);
      expect(Object.keys(body.paths).filter((path) => path.startsWith('/admin'))).toEqual([]);
      expect(body.tags.map((tag: { name: string }) => tag.name)).not.toContain('admin');
      expect(body.components.securitySchemes ?? {}).toEqual({});
      await request(t.server).get('/admin/fraud/prefixes').expect(404);
    } finally {
      await t.close();
    }
  });
});

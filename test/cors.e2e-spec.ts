import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ConfigError, loadAppConfig } from '../src/config/app-config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const APP_ORIGIN = 'https://app.example.com';
const OTHER_ORIGIN = 'https://evil.example.net';

const preflight = (t: TestApp, origin: string) =>
  request(t.server)
    .options('/api/otp/request')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'content-type,x-request-id');

const corsHeaders = (headers: Record<string, string>): string[] =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describe('OTP_CORS_ORIGINS: calls from a browser', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('keeps 404 and 405 as without CORS: preflights on every path make no path known', async () => {
    t = await startTestApp({ env: { OTP_CORS_ORIGINS: APP_ORIGIN } });
    const unknown = await request(t.server).get('/nope').expect(404);
    expect(unknown.body.code).toBe('not_found');
    const otherMethod = await request(t.server).get('/api/otp/request').expect(405);
    expect(otherMethod.headers.allow).toBe('POST');
  });

  it('answers a preflight from a listed origin with 204, that origin, POST and the headers', async () => {
    t = await startTestApp({ env: { OTP_CORS_ORIGINS: `${APP_ORIGIN}, https://www.example.com` } });
    const res = await preflight(t, APP_ORIGIN).expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    expect(res.headers['access-control-allow-headers']).toBe(
      'Content-Type, Authorization, X-Request-Id',
    );
    expect(res.headers.vary).toMatch(/Origin/);

    const answer = await request(t.server)
      .post('/api/otp/request')
      .set('Origin', APP_ORIGIN)
      .send({ phoneNumber: '+447400700001' })
      .expect(202);
    expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    // The browser may read these, for the cooldown and for support requests.
    expect(answer.headers['access-control-expose-headers']).toMatch(/^Retry-After, ?X-Request-Id$/);
  });

  it('gives another origin no CORS header, on the preflight or the call', async () => {
    t = await startTestApp({ env: { OTP_CORS_ORIGINS: APP_ORIGIN } });
    const res = await preflight(t, OTHER_ORIGIN);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const answer = await request(t.server)
      .post('/api/otp/request')
      .set('Origin', OTHER_ORIGIN)
      .send({ phoneNumber: '+447400700002' });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS header at all when OTP_CORS_ORIGINS is unset', async () => {
    t = await startTestApp();
    const res = await preflight(t, APP_ORIGIN);
    expect(res.status).not.toBe(204);
    expect(corsHeaders(res.headers)).toEqual([]);
    const answer = await request(t.server)
      .post('/api/otp/request')
      .set('Origin', APP_ORIGIN)
      .send({ phoneNumber: '+447400700003' })
      .expect(202);
    expect(corsHeaders(answer.headers)).toEqual([]);
  });

  it('refuses a wildcard or anything but an origin at start-up, naming the variable', () => {
    for (const value of ['*', 'https://app.example.com/path', 'app.example.com']) {
      expect(() => loadAppConfig({ OTP_CORS_ORIGINS: value })).toThrow(ConfigError);
      expect(() => loadAppConfig({ OTP_CORS_ORIGINS: value })).toThrow(/OTP_CORS_ORIGINS/);
    }
  });
});

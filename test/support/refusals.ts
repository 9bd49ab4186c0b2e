import { expect } from '@jest/globals';
import type { Response } from 'supertest';

/**
 * A 429 of the contract: the error body with its `code`, and `Retry-After` in whole seconds,
 * more than none and no more than the limit's own window.
 */
export function expectRefused(res: Response, code: string, maxSeconds: number): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ statusCode: 429, code, message: expect.any(String) });
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(maxSeconds);
}

import { describe, expect, it } from '@jest/globals';
import { attemptsWithin, retryDelayMs } from './retry-schedule.js';

describe('the webhook retry schedule', () => {
  it("waits the contract's steps, then every two hours", () => {
    const minutes = [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => retryDelayMs(retry) / 60_000);
    expect(minutes).toEqual([5 / 60, 0.5, 2, 10, 30, 60, 120, 120]);
  });

  it('tries within the retry hours and no longer', () => {
    // 5 s + 30 s + 2 + 10 + 30 min + 1 h is 1.7 h; eleven 2-hour waits more stay within 24 h.
    expect(attemptsWithin(24)).toBe(18);
    expect(attemptsWithin(1)).toBe(6);
  });
});

import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  IssuePolicy,
  OtpStore,
  VerifyPolicy,
} from '../../packages/nestjs-otp-verify/src/store/otp-store.js';
import { newVerificationId } from '../../packages/nestjs-otp-verify/src/verification/verification-id.js';
import type { NewVerification } from '../../packages/nestjs-otp-verify/src/verification/verification.js';

export interface StoreUnderTest {
  store: OtpStore;
  cleanup(): Promise<void>;
}

const issuePolicy: IssuePolicy = {
  ttlMs: 60_000,
  maxAttempts: 3,
  cooldownMs: 0,
  maxSends: 100,
  sendWindowMs: 60_000,
  lockoutThreshold: 100,
};
const verifyPolicy: VerifyPolicy = { lockoutThreshold: 100, lockoutWindowMs: 60_000 };

const smsVerification = (ticket?: string): NewVerification => ({
  id: newVerificationId(),
  channel: 'sms',
  locale: 'en',
  country: 'GB',
  test: false,
  retentionMs: 60_000,
  ticket,
});

let sequence = 0;
const nextNumber = (): string => `+4474001${String(++sequence).padStart(5, '0')}`;

/** One semantics, every store: the Redis store, the in-memory one and, later, a cluster. */
export function describeOtpStoreContract(
  name: string,
  create: () => Promise<StoreUnderTest>,
): void {
  describe(`OtpStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: OtpStore;
    let phone: string;

    beforeEach(async () => {
      subject ??= await create();
      store = subject.store;
      phone = nextNumber();
    });
    afterAll(async () => subject?.cleanup());

    it('approves the right code once, then knows no code', async () => {
      await expect(store.issue(phone, 'h1', issuePolicy)).resolves.toEqual({ outcome: 'issued' });
      await expect(store.verify(phone, 'h1', verifyPolicy)).resolves.toEqual({
        outcome: 'approved',
      });
      await expect(store.verify(phone, 'h1', verifyPolicy)).resolves.toEqual({
        outcome: 'not_found',
      });
    });

    it('tells the failed verifications of a number in its lockout window', async () => {
      expect(await store.failedVerifications(phone)).toBe(0);
      await store.issue(phone, 'right', issuePolicy);
      await store.verify(phone, 'wrong', verifyPolicy);
      await store.verify(phone, 'wrong', verifyPolicy);
      expect(await store.failedVerifications(phone)).toBe(2);
      const brief = nextNumber();
      await store.issue(brief, 'right', issuePolicy);
      await store.verify(brief, 'wrong', { ...verifyPolicy, lockoutWindowMs: 1 });
      await sleep(20);
      expect(await store.failedVerifications(brief)).toBe(0);
    });

    it('knows no code for a number that never asked', async () => {
      await expect(store.verify(phone, 'h1', verifyPolicy)).resolves.toEqual({
        outcome: 'not_found',
      });
    });

    it('counts wrong codes down, then refuses even the right one', async () => {
      await store.issue(phone, 'right', issuePolicy);
      for (const left of [2, 1, 0]) {
        await expect(store.verify(phone, 'wrong', verifyPolicy)).resolves.toEqual({
          outcome: 'incorrect',
          attemptsRemaining: left,
        });
      }
      const refused = await store.verify(phone, 'right', verifyPolicy);
      expect(refused.outcome).toBe('attempts_exceeded');
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
    });

    it('replaces a pending code and its attempts with a new one', async () => {
      await store.issue(phone, 'old', issuePolicy);
      await store.verify(phone, 'wrong', verifyPolicy);
      await store.issue(phone, 'new', issuePolicy);
      await expect(store.verify(phone, 'old', verifyPolicy)).resolves.toEqual({
        outcome: 'incorrect',
        attemptsRemaining: 2,
      });
      await expect(store.verify(phone, 'new', verifyPolicy)).resolves.toEqual({
        outcome: 'approved',
      });
    });

    it('forgets a code when its time is up', async () => {
      await store.issue(phone, 'h1', { ...issuePolicy, ttlMs: 150 });
      await sleep(300);
      await expect(store.verify(phone, 'h1', verifyPolicy)).resolves.toEqual({
        outcome: 'not_found',
      });
    });

    it('refuses a second issue within the cooldown, with the time left', async () => {
      const policy = { ...issuePolicy, cooldownMs: 30_000 };
      await store.issue(phone, 'h1', policy);
      const refused = await store.issue(phone, 'h2', policy);
      expect(refused.outcome).toBe('cooldown');
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(25_000);
      await expect(store.verify(phone, 'h1', verifyPolicy)).resolves.toEqual({
        outcome: 'approved',
      });
    });

    it('refuses sends over the cap of the window', async () => {
      const policy = { ...issuePolicy, maxSends: 2 };
      await store.issue(phone, 'h1', policy);
      await store.issue(phone, 'h2', policy);
      const refused = await store.issue(phone, 'h3', policy);
      expect(refused.outcome).toBe('send_limit');
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
    });

    it('names the send cap before the cooldown, with the time both have passed', async () => {
      const policy = { ...issuePolicy, maxSends: 1, cooldownMs: 30_000, sendWindowMs: 5_000 };
      await store.issue(phone, 'h1', policy);
      const refused = await store.issue(phone, 'h2', policy);
      expect(refused.outcome).toBe('send_limit');
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(25_000);
    });

    it('locks a number only after more failures than the threshold, for issue and verify alike', async () => {
      const lock: VerifyPolicy = { lockoutThreshold: 3, lockoutWindowMs: 40_000 };
      const policy = { ...issuePolicy, maxAttempts: 10, lockoutThreshold: 3 };
      await store.issue(phone, 'right', policy);
      for (let failure = 1; failure <= 3; failure++) {
        const wrong = await store.verify(phone, 'wrong', lock);
        expect(wrong.outcome).toBe('incorrect');
      }
      // The threshold itself is still allowed: a fresh code, and a fourth guess, are served.
      await expect(store.issue(phone, 'right', policy)).resolves.toEqual({ outcome: 'issued' });
      await expect(store.verify(phone, 'wrong', lock)).resolves.toEqual({
        outcome: 'incorrect',
        attemptsRemaining: 9,
      });
      const verify = await store.verify(phone, 'right', lock);
      expect(verify.outcome).toBe('locked');
      expect((verify as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(35_000);
      const issue = await store.issue(phone, 'again', policy);
      expect(issue.outcome).toBe('locked');
    });

    it('revokes an undelivered code and gives back its cooldown and send', async () => {
      const policy = { ...issuePolicy, cooldownMs: 30_000, maxSends: 1 };
      await store.issue(phone, 'h1', policy);
      await store.revoke(phone, 'h1');
      await expect(store.verify(phone, 'h1', verifyPolicy)).resolves.toEqual({
        outcome: 'not_found',
      });
      await expect(store.issue(phone, 'h2', policy)).resolves.toEqual({ outcome: 'issued' });
    });

    it("names the verification's country with its approval", async () => {
      const sms = smsVerification();
      await store.issue(phone, 'h1', issuePolicy, sms);
      await expect(store.verify(phone, 'h1', verifyPolicy)).resolves.toEqual({
        outcome: 'approved',
        verificationId: sms.id,
        country: 'GB',
      });
    });

    it('leaves a newer code alone when revoking an older one', async () => {
      await store.issue(phone, 'old', issuePolicy);
      await store.issue(phone, 'new', issuePolicy);
      await store.revoke(phone, 'old');
      await expect(store.verify(phone, 'new', verifyPolicy)).resolves.toEqual({
        outcome: 'approved',
      });
    });

    it('counts calls against their own cap in the send window, and gives back a revoked one', async () => {
      const call = { ...issuePolicy, maxCalls: 2 };
      await expect(store.issue(phone, 'c1', call)).resolves.toEqual({ outcome: 'issued' });
      await expect(store.issue(phone, 'c2', call)).resolves.toEqual({ outcome: 'issued' });
      const refused = await store.issue(phone, 'c3', call);
      expect(refused).toEqual({ outcome: 'send_limit', retryAfterMs: expect.any(Number) });
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
      await expect(store.issue(phone, 's1', issuePolicy)).resolves.toEqual({ outcome: 'issued' });

      const other = nextNumber();
      const oneCall = { ...issuePolicy, maxCalls: 1 };
      await store.issue(other, 'sms', issuePolicy);
      await store.issue(other, 'c1', oneCall);
      await store.revoke(other, 'c1', true);
      await expect(store.issue(other, 'c2', oneCall)).resolves.toEqual({ outcome: 'issued' });
      expect((await store.issue(other, 'c3', oneCall)).outcome).toBe('send_limit');
    });

    it('admits one fallback call per pending SMS code, with its ticket, within the calls cap', async () => {
      const sms = smsVerification('sealed');
      await store.issue(phone, 'h1', issuePolicy, sms);
      await expect(store.admitFallbackCall(sms.id, 1)).resolves.toEqual({
        outcome: 'admitted',
        phoneNumber: phone,
        ticket: 'sealed',
      });
      await expect(store.admitFallbackCall(sms.id, 5)).resolves.toEqual({
        outcome: 'already_called',
      });
      expect((await store.issue(phone, 'h2', { ...issuePolicy, maxCalls: 1 })).outcome).toBe(
        'send_limit',
      );

      const plain = smsVerification();
      await store.issue(nextNumber(), 'h', issuePolicy, plain);
      await expect(store.admitFallbackCall(plain.id, 5)).resolves.toEqual({ outcome: 'no_ticket' });

      const replaced = smsVerification('first');
      const twice = nextNumber();
      await store.issue(twice, 'a', issuePolicy, replaced);
      await store.issue(twice, 'b', issuePolicy, smsVerification('second'));
      await expect(store.admitFallbackCall(replaced.id, 5)).resolves.toEqual({
        outcome: 'not_pending',
      });

      const called = nextNumber();
      const afterCall = smsVerification('sealed');
      await store.issue(called, 'c', { ...issuePolicy, maxCalls: 1 });
      await store.issue(called, 's', issuePolicy, afterCall);
      await expect(store.admitFallbackCall(afterCall.id, 1)).resolves.toEqual({
        outcome: 'call_limit',
      });
      await expect(store.admitFallbackCall(newVerificationId(), 1)).resolves.toEqual({
        outcome: 'not_pending',
      });
    });

    it('issues exactly one code to 30 concurrent requests under a cooldown', async () => {
      const policy = { ...issuePolicy, cooldownMs: 30_000 };
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.issue(phone, `h${i}`, policy)),
      );
      expect(results.filter((r) => r.outcome === 'issued')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'cooldown')).toHaveLength(29);
    });

    it('counts no more than the attempts cap among 50 concurrent wrong codes', async () => {
      await store.issue(phone, 'right', issuePolicy);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.verify(phone, 'wrong', verifyPolicy)),
      );
      expect(results.filter((r) => r.outcome === 'incorrect')).toHaveLength(3);
      expect(results.filter((r) => r.outcome === 'attempts_exceeded')).toHaveLength(47);
      expect((await store.verify(phone, 'right', verifyPolicy)).outcome).toBe('attempts_exceeded');
    });

    it('issues a test number its code past the cooldown and send cap, keeping TTL, attempts, single use and the lockout', async () => {
      const strict = { ...issuePolicy, cooldownMs: 30_000, maxSends: 1, lockoutThreshold: 1 };
      const exempt = { ...strict, perNumberLimits: false };
      const lock: VerifyPolicy = { lockoutThreshold: 1, lockoutWindowMs: 40_000 };
      await store.issue(phone, 'fixed', strict);
      // In cooldown and over the send cap for ordinary issues ...
      expect((await store.issue(phone, 'fixed', strict)).outcome).toBe('send_limit');
      // ... and still issued, again and again.
      for (let i = 0; i < 3; i++) {
        await expect(store.issue(phone, 'fixed', exempt)).resolves.toEqual({ outcome: 'issued' });
      }
      for (const left of [2, 1]) {
        await expect(store.verify(phone, 'wrong', verifyPolicy)).resolves.toEqual({
          outcome: 'incorrect',
          attemptsRemaining: left,
        });
      }
      await expect(store.verify(phone, 'fixed', verifyPolicy)).resolves.toEqual({
        outcome: 'approved',
      });
      await expect(store.verify(phone, 'fixed', verifyPolicy)).resolves.toEqual({
        outcome: 'not_found',
      });
      await store.issue(phone, 'fixed', { ...exempt, ttlMs: 150 });
      await sleep(300);
      await expect(store.verify(phone, 'fixed', verifyPolicy)).resolves.toEqual({
        outcome: 'not_found',
      });
      // More failures than the threshold lock a test number as any other: its fixed code must
      // not be guessable by asking again and again.
      await store.issue(phone, 'fixed', exempt);
      await store.verify(phone, 'wrong', lock);
      await store.verify(phone, 'wrong', lock);
      const locked = await store.issue(phone, 'fixed', exempt);
      expect(locked).toEqual({ outcome: 'locked', retryAfterMs: expect.any(Number) });
      expect((await store.verify(phone, 'fixed', lock)).outcome).toBe('locked');
    });

    it('applies receipts to the attempt of their message, never moving a final status back', async () => {
      const id = newVerificationId();
      const verification = { id, channel: 'sms', locale: 'en', country: 'GB', test: false };
      await store.issue(phone, 'h1', issuePolicy, { ...verification, retentionMs: 3_600_000 });
      const at = Date.now();
      const sent = {
        channel: 'sms',
        provider: 'plivo',
        status: 'sent',
        at,
        updatedAt: at,
      } as const;
      await store.recordAttempt(id, { ...sent, messageId: 'msg-1' });
      const receipt = { provider: 'plivo', messageId: 'msg-1' };
      const result = { verificationId: id, country: 'GB', pending: true };
      await expect(
        store.recordReceipt({ ...receipt, messageId: 'other', status: 'delivered' }),
      ).resolves.toBeUndefined();
      await expect(
        store.recordReceipt({ ...receipt, provider: 'sns', status: 'failed' }),
      ).resolves.toBeUndefined();
      await expect(store.recordReceipt({ ...receipt, status: 'sent' })).resolves.toEqual({
        ...result,
        changed: false,
        status: 'sent',
      });
      await expect(
        store.recordReceipt({ ...receipt, status: 'undelivered', errorCode: '30' }),
      ).resolves.toEqual({ ...result, changed: true, status: 'undelivered' });
      for (const late of ['delivered', 'sent', 'undelivered'] as const) {
        await expect(store.recordReceipt({ ...receipt, status: late })).resolves.toEqual({
          ...result,
          changed: false,
          status: 'undelivered',
        });
      }
      // A call that follows the SMS is an attempt of its own, after it.
      await store.recordAttempt(id, { ...sent, channel: 'voice' });
      const [attempt, call] = (await store.findVerification(id))!.attempts;
      expect(attempt).toMatchObject({ status: 'undelivered', errorCode: '30', messageId: 'msg-1' });
      expect(attempt.updatedAt).toBeGreaterThanOrEqual(at);
      expect(call).toEqual({ ...sent, channel: 'voice' });
      await store.verify(phone, 'h1', verifyPolicy);
      const settled = await store.recordReceipt({ ...receipt, status: 'delivered' });
      expect(settled).toMatchObject({ changed: false, pending: false });
    });

    it('forgets a message when its verification is no longer kept', async () => {
      const id = newVerificationId();
      const verification = { id, channel: 'sms', locale: 'en', country: 'GB', test: false };
      await store.issue(phone, 'h1', issuePolicy, { ...verification, retentionMs: 200 });
      const at = Date.now();
      await store.recordAttempt(id, {
        ...{ channel: 'sms', provider: 'plivo', status: 'sent', at, updatedAt: at },
        messageId: 'msg-brief',
      });
      await sleep(300);
      const receipt = { provider: 'plivo', messageId: 'msg-brief', status: 'delivered' } as const;
      await expect(store.recordReceipt(receipt)).resolves.toBeUndefined();
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

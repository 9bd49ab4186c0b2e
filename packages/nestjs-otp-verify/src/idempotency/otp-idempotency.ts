import { Injectable } from '@nestjs/common';
import { apiKeyNameOf } from '../auth/otp-api-key.guard.js';
import { InjectIdempotencyStore, InjectOtpSettings } from '../otp.decorators.js';
import { toErrorResponse } from '../otp-error-response.js';
import type { OtpSettings } from '../otp-options.js';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  OtpError,
  OtpErrorCode,
  OtpValidationError,
} from '../otp.errors.js';
import { idempotencyKey } from '../store/otp-keys.js';
import type { IdempotencyStore, StoredAnswer } from './idempotency-store.js';
import type { RedisDeadline } from '../store/redis-deadline.js';

/** 1 to 255 printable ASCII characters, as the contract allows. */
const KEY_FORMAT = /^[\x20-\x7E]{1,255}$/;

export interface IdempotentRequest {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Whose keys: the API key's name when keys are required (its guard ran first), else the address. */
const callerOf = (request: IdempotentRequest): string => {
  const name = apiKeyNameOf(request);
  return name === undefined ? `ip:${request.ip}` : `key:${name}`;
};

/** What a caller gets: the answer to give (a value, or an error it throws), and whether it is a replay. */
export interface IdempotentAnswer<T> {
  replayed: boolean;
  answer(): T;
}

const replayOf = <T>(stored: StoredAnswer): (() => T) => {
  if (stored.status < 400) return () => stored.body as T;
  const body = { ...(stored.body as Record<string, string | number | boolean>) };
  const { code, message } = body as { code: OtpErrorCode; message: string };
  // What is left besides the status, code and message are the error's own fields.
  for (const field of ['statusCode', 'code', 'message']) delete body[field];
  return () => {
    throw new OtpError(code, message, stored.retryAfterSeconds, body);
  };
};

/**
 * Serves a request once per caller and `Idempotency-Key`: a repeat with the same body gets the
 * first answer again, and sends or counts nothing; a 5xx frees the key so a retry runs afresh.
 */
@Injectable()
export class OtpIdempotency {
  private readonly ttlMs: number;
  private readonly keyPrefix: string;
  /** Longer than any request is served: the SMS deadline of each provider, and a margin. */
  private readonly inFlightMs: number;

  constructor(
    @InjectOtpSettings() settings: OtpSettings,
    @InjectIdempotencyStore() private readonly store: IdempotencyStore,
  ) {
    this.ttlMs = settings.idempotencyTtlSeconds * 1000;
    this.keyPrefix = settings.keyPrefix;
    this.inFlightMs = 2 * settings.sms.timeoutMs + 30_000;
  }

  /**
   * Whether `request` repeats an answered one, so the per-client limit leaves it uncounted: a
   * replay counts nothing. A store that cannot answer says no, and the limit counts as usual.
   */
  async isReplay(request: IdempotentRequest, deadline?: RedisDeadline): Promise<boolean> {
    const header = request.headers['idempotency-key'];
    if (typeof header !== 'string' || !KEY_FORMAT.test(header)) return false;
    const key = idempotencyKey(this.keyPrefix, callerOf(request), header);
    return this.store.answered(key, deadline).catch(() => false);
  }

  /**
   * Keys are per caller (`request`'s API key name, or its client address); `fingerprint` is the
   * request after normalisation, `status` the success status to replay.
   */
  async run<T>(
    request: IdempotentRequest,
    idempotencyKeyHeader: unknown,
    fingerprint: string,
    status: number,
    serve: () => Promise<T>,
    deadline?: RedisDeadline,
  ): Promise<IdempotentAnswer<T>> {
    if (typeof idempotencyKeyHeader !== 'string' || !KEY_FORMAT.test(idempotencyKeyHeader)) {
      throw new OtpValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters');
    }
    const key = idempotencyKey(this.keyPrefix, callerOf(request), idempotencyKeyHeader);
    const claim = await this.store.claim(key, fingerprint, this.inFlightMs, deadline);
    switch (claim.outcome) {
      case 'reused':
        throw new IdempotencyKeyReusedError();
      case 'in_use':
        throw new IdempotencyKeyInUseError();
      case 'replay':
        return { replayed: true, answer: replayOf<T>(claim.answer) };
    }
    let body: T;
    try {
      body = await serve();
    } catch (error) {
      const response = toErrorResponse(error);
      if (!response || response.status >= 500) {
        await this.store.release(key, fingerprint, deadline).catch(() => undefined);
      } else {
        await this.keep(key, fingerprint, response, deadline);
      }
      throw error;
    }
    await this.keep(key, fingerprint, { status, body }, deadline);
    return { replayed: false, answer: () => body };
  }

  /** The answer was given: a store that fails now leaves the claim to expire, never a 503. */
  private async keep(
    key: string,
    fingerprint: string,
    answer: StoredAnswer,
    deadline?: RedisDeadline,
  ): Promise<void> {
    const { ttlMs } = this;
    await this.store.complete(key, fingerprint, answer, ttlMs, deadline).catch(() => undefined);
  }
}

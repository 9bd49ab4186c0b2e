import type { IdempotencyClaim, IdempotencyStore, StoredAnswer } from './idempotency-store.js';

interface Entry {
  fingerprint: string;
  answer?: StoredAnswer;
  expiresAt: number;
}

/** The Redis store's semantics in one process, for development and host apps without Redis. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private claims = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, fingerprint: string, inFlightMs: number): Promise<IdempotencyClaim> {
    this.sweep();
    let entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      this.entries.set(key, { fingerprint, expiresAt: this.now() + inFlightMs });
      return { outcome: 'claimed' };
    }
    if (entry.fingerprint !== fingerprint) return { outcome: 'reused' };
    return entry.answer ? { outcome: 'replay', answer: entry.answer } : { outcome: 'in_use' };
  }

  async complete(key: string, fingerprint: string, answer: StoredAnswer, ttlMs: number) {
    const entry = this.entries.get(key);
    if (entry?.fingerprint !== fingerprint) return;
    entry.answer = answer;
    entry.expiresAt = this.now() + ttlMs;
  }

  async answered(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    return entry?.answer !== undefined && entry.expiresAt > this.now();
  }

  async release(key: string, fingerprint: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry?.fingerprint === fingerprint && !entry.answer) this.entries.delete(key);
  }

  /** Now and then: keys never used again would otherwise pile up. */
  private sweep(): void {
    if (++this.claims % 1000 !== 0) return;
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

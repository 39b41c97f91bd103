import type { Admission, LimitSpec, Limiter } from '../core/limits.js';

interface Bucket {
  requests: number;
  tokens: number;
  at: number;
  inflight: number;
}

const SWEEP_EVERY_MS = 60_000;
const IDLE_MS = 120_000;

/**
 * The embedded Limiter: per account, a token bucket of requests per minute, a token bucket of
 * model tokens per minute, and a concurrency counter, all in memory. Tokens are taken on the
 * estimate at admission and corrected when the call settles (a call that used more than it
 * estimated leaves the bucket in debt, so the next calls wait it out). Constant time per call;
 * idle accounts are swept once a minute.
 */
export class MemoryLimiter implements Limiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  admit(account: string, spec: LimitSpec, estimatedTokens: number, nowMs = Date.now()): Admission {
    if (nowMs - this.lastSweep > SWEEP_EVERY_MS) this.sweep(nowMs);

    const b = this.refill(account, spec, nowMs);
    if (b.inflight >= spec.maxConcurrent) {
      return { ok: false, retryAfterS: 1, limit: 'concurrency' };
    }
    if (b.requests < 1) {
      const waitMs = (1 - b.requests) / (spec.requestsPerMinute / 60_000);
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)), limit: 'requests' };
    }
    const need = Math.min(Math.max(0, estimatedTokens), spec.tokensPerMinute);
    if (b.tokens < need) {
      const waitMs = (need - b.tokens) / (spec.tokensPerMinute / 60_000);
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)), limit: 'tokens' };
    }

    b.requests -= 1;
    b.tokens -= need;
    b.inflight += 1;
    let settled = false;
    return {
      ok: true,
      settle: (actualTokens: number) => {
        if (settled) return;
        settled = true;
        b.inflight -= 1;
        b.tokens = Math.min(spec.tokensPerMinute, b.tokens + need - Math.max(0, actualTokens));
      },
    };
  }

  /** Accounts currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(account: string, spec: LimitSpec, now: number): Bucket {
    let b = this.buckets.get(account);
    if (!b) {
      b = { requests: spec.requestsPerMinute, tokens: spec.tokensPerMinute, at: now, inflight: 0 };
      this.buckets.set(account, b);
      return b;
    }
    const elapsed = Math.max(0, now - b.at);
    b.requests = Math.min(
      spec.requestsPerMinute,
      b.requests + (elapsed * spec.requestsPerMinute) / 60_000,
    );
    b.tokens = Math.min(spec.tokensPerMinute, b.tokens + (elapsed * spec.tokensPerMinute) / 60_000);
    b.at = now;
    return b;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [account, b] of this.buckets) {
      if (b.inflight === 0 && now - b.at > IDLE_MS) this.buckets.delete(account);
    }
  }
}

import type { Admission, LimitSpec, Limiter } from '../core/limits.js';

interface Buckets {
  requests: number;
  tokens: number;
  inFlight: number;
  ts: number;
}

const MAX_ACCOUNTS = 200_000;

/**
 * Token buckets in memory, one pair (requests, tokens) per account, refilled continuously at
 * the per-minute rate, plus a concurrency count. A fleet replica falls back to it when Redis is
 * unreachable, with its share (`1/share`) of each limit.
 */
export class LocalLimiter implements Limiter {
  private readonly buckets = new Map<string, Buckets>();

  constructor(
    private readonly options: { burstS: number; share: number } = { burstS: 60, share: 1 },
  ) {}

  admit(account: string, spec: LimitSpec, estimatedTokens: number, nowMs = Date.now()): Admission {
    const share = this.options.share;
    const reqRate = spec.requestsPerMinute / 60_000 / share;
    const tokRate = spec.tokensPerMinute / 60_000 / share;
    const burstMs = this.options.burstS * 1000;
    const b = this.refill(account, reqRate * burstMs, tokRate * burstMs, reqRate, tokRate, nowMs);

    const concurrent = Math.max(1, Math.floor(spec.maxConcurrent / share));
    if (b.inFlight >= concurrent) return { ok: false, retryAfterS: 1, limit: 'concurrency' };
    if (b.requests < 1)
      return { ok: false, retryAfterS: wait(1 - b.requests, reqRate), limit: 'requests' };
    const cost = Math.min(estimatedTokens, tokRate * burstMs);
    if (b.tokens < cost) {
      return { ok: false, retryAfterS: wait(cost - b.tokens, tokRate), limit: 'tokens' };
    }

    b.requests -= 1;
    b.tokens -= cost;
    b.inFlight++;
    let settled = false;
    return {
      ok: true,
      settle: (actual: number) => {
        if (settled) return;
        settled = true;
        b.inFlight--;
        b.tokens -= actual - cost;
      },
    };
  }

  private refill(
    account: string,
    reqCap: number,
    tokCap: number,
    reqRate: number,
    tokRate: number,
    now: number,
  ): Buckets {
    let b = this.buckets.get(account);
    if (!b) {
      if (this.buckets.size >= MAX_ACCOUNTS) this.evictIdle(now, reqCap / reqRate);
      b = { requests: reqCap, tokens: tokCap, inFlight: 0, ts: now };
      this.buckets.set(account, b);
      return b;
    }
    const dt = Math.max(0, now - b.ts);
    b.requests = Math.min(reqCap, b.requests + dt * reqRate);
    b.tokens = Math.min(tokCap, b.tokens + dt * tokRate);
    b.ts = now;
    return b;
  }

  /** Forgets idle accounts whose buckets have refilled: they would start full anyway. */
  private evictIdle(now: number, fullAfterMs: number): void {
    for (const [account, b] of this.buckets) {
      if (b.inFlight === 0 && now - b.ts >= fullAfterMs) this.buckets.delete(account);
    }
  }
}

function wait(missing: number, ratePerMs: number): number {
  if (ratePerMs <= 0) return 60;
  return Math.max(1, Math.ceil(missing / ratePerMs / 1000));
}

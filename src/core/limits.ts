/** An account's limits for one request, after tier and policy throttling are applied. */
export interface LimitSpec {
  requestsPerMinute: number;
  tokensPerMinute: number;
  maxConcurrent: number;
}

export type Admission =
  | {
      ok: true;
      /** Settles the estimate against the tokens really used; call exactly once. */
      settle(actualTokens: number): void;
    }
  | { ok: false; retryAfterS: number; limit: 'requests' | 'tokens' | 'concurrency' };

/**
 * Admits or refuses a request against an account's limits, synchronously and in constant time,
 * so the request path never waits on a network round trip. The embedded implementation keeps
 * buckets in memory; the fleet implementation funds local buckets from leases taken in batches
 * from Redis.
 */
export interface Limiter {
  admit(account: string, spec: LimitSpec, estimatedTokens: number, nowMs?: number): Admission;
}

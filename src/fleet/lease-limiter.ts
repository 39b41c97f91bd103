import type { Redis } from 'ioredis';
import type { Admission, LimitSpec, Limiter } from '../core/limits.js';
import { log } from '../core/log.js';
import type { FailureMode } from './config.js';
import { LocalLimiter } from './local-limiter.js';

/**
 * Takes up to ARGV[3] units from a token bucket refilled at ARGV[1] units per ms up to ARGV[2],
 * on Redis's own clock, so every replica draws from the same bucket. Returns the grant and
 * what is left in the bucket.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'v', 't')
local v = tonumber(b[1])
local ts = tonumber(b[2])
if v == nil then v = cap; ts = now end
v = math.min(cap, v + math.max(0, now - ts) * rate)
local grant = math.max(0, math.min(want, math.floor(v)))
v = v - grant
redis.call('HSET', KEYS[1], 'v', tostring(v), 't', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate) + 1000)
return {grant, math.floor(v)}
`;

interface Lease {
  /** Units held locally; negative while admissions on credit wait to be paid by a grant. */
  have: number;
  /** What the shared bucket held after the last grant; undefined before the first. */
  spare?: number;
  fetching: boolean;
  notBefore: number;
  /** The last grant was short: the shared bucket is being drained by several replicas. */
  dry: boolean;
}

interface AccountLeases {
  requests: Lease;
  tokens: Lease;
  inFlight: number;
}

type Kind = 'requests' | 'tokens';

/** Options of the fleet limiter; see the `fleet` config section. */
export interface LeaseOptions {
  prefix: string;
  leaseMs: number;
  burstS: number;
  onFailure: FailureMode;
  replicas: number;
}

/**
 * The fleet's `Limiter`: each replica admits from local leases, synchronously, and refills them
 * in the background with batches (about `leaseMs` of the account's rate) taken from one shared
 * Redis bucket by an atomic script. No request waits on Redis. A replica may admit up to one
 * batch on credit when the shared bucket had room at its last look; the next grant repays it,
 * so the fleet as a whole stays within the rate. When Redis is unreachable the failure mode
 * applies: `open` falls back to local buckets with 1/replicas of each limit, `closed` refuses.
 */
export class RedisLeaseLimiter implements Limiter {
  private readonly leases = new Map<string, AccountLeases>();
  private readonly fallback: LocalLimiter;
  private broken = false;
  /** Number of Redis calls made, for tests and metrics. */
  fetches = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaseOptions,
  ) {
    redis.defineCommand('moatTake', { numberOfKeys: 1, lua: TAKE });
    redis.on('ready', () => {
      this.broken = false;
    });
    this.fallback = new LocalLimiter({ burstS: options.burstS, share: options.replicas });
  }

  /** True when limits come from the shared bucket, false while the failure mode applies. */
  get shared(): boolean {
    return !this.broken && this.redis.status === 'ready';
  }

  admit(account: string, spec: LimitSpec, estimatedTokens: number, nowMs = Date.now()): Admission {
    if (!this.shared) {
      if (this.options.onFailure === 'open') {
        return this.fallback.admit(account, spec, estimatedTokens, nowMs);
      }
      return { ok: false, retryAfterS: 1, limit: 'requests' };
    }

    const a = this.account(account);
    const concurrent = Math.max(1, Math.round(spec.maxConcurrent / this.options.replicas));
    if (a.inFlight >= concurrent) return { ok: false, retryAfterS: 1, limit: 'concurrency' };

    const reqRate = spec.requestsPerMinute / 60_000;
    const tokRate = spec.tokensPerMinute / 60_000;
    const tokCap = tokRate * this.options.burstS * 1000;
    const cost = Math.min(estimatedTokens, tokCap);
    const reqBatch = Math.max(1, Math.ceil(reqRate * this.options.leaseMs));
    const tokBatch = Math.max(cost, Math.ceil(tokRate * this.options.leaseMs));

    const reqOk = this.affordable(a.requests, 1, reqBatch);
    const tokOk = this.affordable(a.tokens, cost, tokBatch);
    if (!reqOk || !tokOk) {
      this.refill(account, 'requests', a.requests, reqRate, reqBatch, nowMs);
      this.refill(account, 'tokens', a.tokens, tokRate, tokBatch, nowMs);
      const limit = reqOk ? 'tokens' : 'requests';
      const retryAfterS = limit === 'requests' ? wait(1, reqRate) : wait(cost, tokRate);
      return { ok: false, retryAfterS, limit };
    }

    a.requests.have -= 1;
    a.tokens.have -= cost;
    a.inFlight++;
    this.refill(account, 'requests', a.requests, reqRate, reqBatch, nowMs);
    this.refill(account, 'tokens', a.tokens, tokRate, tokBatch, nowMs);

    let settled = false;
    return {
      ok: true,
      settle: (actual: number) => {
        if (settled) return;
        settled = true;
        a.inFlight--;
        a.tokens.have += cost - actual;
      },
    };
  }

  /** Returns every local lease's unused units to the shared buckets (on shutdown). */
  async release(): Promise<void> {
    const jobs: Promise<unknown>[] = [];
    for (const [account, a] of this.leases) {
      for (const kind of ['requests', 'tokens'] as const) {
        const have = Math.floor(a[kind].have);
        if (have > 0) jobs.push(this.redis.hincrbyfloat(this.key(account, kind), 'v', have));
        a[kind].have -= have;
      }
    }
    await Promise.allSettled(jobs);
  }

  private affordable(lease: Lease, cost: number, batch: number): boolean {
    if (lease.have >= cost) return true;
    const roomShared = lease.spare === undefined || lease.spare >= cost + batch;
    return roomShared && lease.have - cost >= -batch;
  }

  private refill(
    account: string,
    kind: Kind,
    lease: Lease,
    ratePerMs: number,
    batch: number,
    now: number,
  ): void {
    if (lease.fetching || now < lease.notBefore || lease.have >= batch / 2) return;

    // While replicas contend for a dry bucket each asks only its share, so none starves.
    const share = Math.ceil(batch / this.options.replicas);
    const want = lease.dry
      ? Math.max(1, Math.min(share, Math.ceil(batch - lease.have)))
      : Math.ceil(batch - lease.have);
    const cap = ratePerMs * this.options.burstS * 1000;
    lease.fetching = true;
    this.fetches++;
    const redis = this.redis as Redis & {
      moatTake(key: string, rate: number, cap: number, want: number): Promise<[number, number]>;
    };
    redis.moatTake(this.key(account, kind), ratePerMs, cap, want).then(
      ([grant, spare]) => {
        lease.have += grant;
        lease.spare = spare;
        lease.fetching = false;
        // A short grant or a near-empty bucket means replicas contend: wait (with jitter, so
        // they do not fall into step) until about what was asked for has accrued.
        lease.dry = grant < want || spare < batch;
        if (lease.dry) {
          const waitMs = Math.min(this.options.leaseMs, want / ratePerMs);
          lease.notBefore = Date.now() + waitMs * (0.5 + Math.random());
        }
      },
      (err: Error) => {
        lease.fetching = false;
        if (this.broken) return;
        log.warn({ err: err.message }, 'lease fetch failed, failure mode applies');
        this.broken = true;
        this.probe();
      },
    );
  }

  /** Pings Redis until it answers, then goes back to shared limits. */
  private probe(): void {
    const timer = setTimeout(() => {
      this.redis.ping().then(
        () => {
          this.broken = false;
        },
        () => this.probe(),
      );
    }, 500);
    timer.unref();
  }

  private key(account: string, kind: Kind): string {
    return `${this.options.prefix}:lim:${account}:${kind === 'requests' ? 'r' : 't'}`;
  }

  private account(account: string): AccountLeases {
    let a = this.leases.get(account);
    if (!a) {
      const fresh = (): Lease => ({ have: 0, fetching: false, notBefore: 0, dry: false });
      a = { requests: fresh(), tokens: fresh(), inFlight: 0 };
      this.leases.set(account, a);
    }
    return a;
  }
}

function wait(missing: number, ratePerMs: number): number {
  if (ratePerMs <= 0) return 60;
  return Math.max(1, Math.ceil(missing / ratePerMs / 1000));
}

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

/**
 * Records this replica's in-flight calls for one account (ARGV[2], under its id ARGV[1], with
 * Redis's time) and returns the sum of the other replicas' counts. Counts older than ARGV[3] ms
 * belong to a replica that stopped reporting and are removed.
 */
const CONCURRENCY = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local stale = tonumber(ARGV[3])
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. now)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local all = redis.call('HGETALL', KEYS[1])
local others = 0
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then
    local c, ts = string.match(all[i + 1], '^(%d+):(%d+)$')
    if c == nil or now - tonumber(ts) > stale then
      redis.call('HDEL', KEYS[1], all[i])
    else
      others = others + tonumber(c)
    end
  end
end
if #all > 0 then redis.call('PEXPIRE', KEYS[1], stale) end
return others
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
  /** In-flight calls of the other replicas at the last exchange; undefined before the first. */
  others?: number;
  /** When (ms) `others` was read. */
  othersAt: number;
  /** The count last sent to Redis. */
  reported: number;
}

type Kind = 'requests' | 'tokens';

/** Options of the fleet limiter; see the `fleet` config section. */
export interface LeaseOptions {
  prefix: string;
  leaseMs: number;
  burstS: number;
  onFailure: FailureMode;
  replicas: number;
  /** How often in-flight counts are exchanged through Redis (ms); defaults to `leaseMs`. */
  concurrencySyncMs?: number;
}

/**
 * The fleet's `Limiter`: each replica admits from local leases, synchronously, and refills them
 * in the background with batches (about `leaseMs` of the account's rate) taken from one shared
 * Redis bucket by an atomic script. No request waits on Redis. A replica may admit up to one
 * batch on credit when the shared bucket had room at its last look; the next grant repays it,
 * so the fleet as a whole stays within the rate. When Redis is unreachable the failure mode
 * applies: `open` falls back to local buckets with 1/replicas of each limit, `closed` refuses.
 *
 * Concurrency is shared the same way, without a round trip per call: every `concurrencySyncMs`
 * each replica reports its in-flight calls per active account and reads the others' sum; it
 * admits up to `max_concurrent` minus that sum. An account served by one replica gets its whole
 * limit there; one spread over several shares it. Before the first exchange an account gets
 * 1/replicas of the limit.
 */
export class RedisLeaseLimiter implements Limiter {
  private readonly leases = new Map<string, AccountLeases>();
  private readonly fallback: LocalLimiter;
  private broken = false;
  /** Accounts whose in-flight count must be exchanged at the next sync. */
  private readonly active = new Set<string>();
  private readonly syncTimer: NodeJS.Timeout;
  private syncing = false;
  private readonly replicaId = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  /** Number of Redis calls made, for tests and metrics. */
  fetches = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaseOptions,
  ) {
    redis.defineCommand('moatTake', { numberOfKeys: 1, lua: TAKE });
    redis.defineCommand('moatConcurrency', { numberOfKeys: 1, lua: CONCURRENCY });
    this.syncTimer = setInterval(
      () => void this.syncConcurrency(),
      options.concurrencySyncMs ?? options.leaseMs,
    );
    this.syncTimer.unref();
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
    // A view older than a few exchanges is not trusted: the fair share applies until the next.
    const known = a.others !== undefined && nowMs - a.othersAt <= this.staleMs;
    const concurrent = known
      ? spec.maxConcurrent - a.others!
      : Math.max(1, Math.round(spec.maxConcurrent / this.options.replicas));
    if (a.inFlight >= concurrent) {
      this.active.add(account);
      return { ok: false, retryAfterS: 1, limit: 'concurrency' };
    }

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
    this.active.add(account);
    this.refill(account, 'requests', a.requests, reqRate, reqBatch, nowMs);
    this.refill(account, 'tokens', a.tokens, tokRate, tokBatch, nowMs);

    let settled = false;
    return {
      ok: true,
      settle: (actual: number) => {
        if (settled) return;
        settled = true;
        a.inFlight--;
        this.active.add(account);
        a.tokens.have += cost - actual;
      },
    };
  }

  /**
   * Exchanges in-flight counts with the other replicas for every account that changed or still
   * has calls in flight anywhere; one pipeline per round.
   */
  async syncConcurrency(): Promise<void> {
    if (this.syncing || !this.shared) return;
    const accounts = [...this.active];
    if (accounts.length === 0) return;
    this.active.clear();
    this.syncing = true;
    const stale = this.staleMs;
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & {
      moatConcurrency(key: string, id: string, n: number, staleMs: number): unknown;
    };
    const sent: number[] = [];
    for (const account of accounts) {
      const a = this.account(account);
      sent.push(a.inFlight);
      pipeline.moatConcurrency(this.concurrencyKey(account), this.replicaId, a.inFlight, stale);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      accounts.forEach((account, i) => {
        const a = this.account(account);
        const [err, others] = results[i] ?? [new Error('no reply')];
        if (err) {
          this.active.add(account);
          return;
        }
        a.others = Number(others);
        a.othersAt = Date.now();
        a.reported = sent[i];
        // Keep exchanging while calls are in flight here or elsewhere.
        if (a.inFlight > 0 || a.others > 0) this.active.add(account);
      });
    } catch {
      for (const account of accounts) this.active.add(account);
    } finally {
      this.syncing = false;
    }
  }

  /** Returns every local lease's unused units to the shared buckets (on shutdown). */
  async release(): Promise<void> {
    clearInterval(this.syncTimer);
    const jobs: Promise<unknown>[] = [];
    for (const [account, a] of this.leases) {
      for (const kind of ['requests', 'tokens'] as const) {
        const have = Math.floor(a[kind].have);
        if (have > 0) jobs.push(this.redis.hincrbyfloat(this.key(account, kind), 'v', have));
        a[kind].have -= have;
      }
      if (a.reported > 0) {
        jobs.push(this.redis.hdel(this.concurrencyKey(account), this.replicaId));
        a.reported = 0;
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

  /** How long an in-flight count stays valid without a newer exchange (ms). */
  private get staleMs(): number {
    return 4 * (this.options.concurrencySyncMs ?? this.options.leaseMs) + 1000;
  }

  private concurrencyKey(account: string): string {
    return `${this.options.prefix}:lim:${account}:c`;
  }

  private key(account: string, kind: Kind): string {
    return `${this.options.prefix}:lim:${account}:${kind === 'requests' ? 'r' : 't'}`;
  }

  private account(account: string): AccountLeases {
    let a = this.leases.get(account);
    if (!a) {
      const fresh = (): Lease => ({ have: 0, fetching: false, notBefore: 0, dry: false });
      a = { requests: fresh(), tokens: fresh(), inFlight: 0, reported: 0, othersAt: 0 };
      this.leases.set(account, a);
    }
    return a;
  }
}

function wait(missing: number, ratePerMs: number): number {
  if (ratePerMs <= 0) return 60;
  return Math.max(1, Math.ceil(missing / ratePerMs / 1000));
}

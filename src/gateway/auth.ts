import type { IncomingHttpHeaders } from 'node:http';
import type { AuthConfig } from '../config/index.js';
import type { TrustedHeaderConfig } from '../config/sections/auth.js';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import { hashKey, type ActiveKey, type KeyClient } from '../store/keys.js';

const MAX_MISSES = 10_000;

/** Who is calling: the account, its tier and the key used (absent for header identity). */
export interface Identity {
  account: string;
  tier: string;
  key?: string;
  /**
   * Account facts (payment, sign-up) the provider's auth layer sent in trusted headers, or
   * recorded with the key when it issued it.
   */
  client?: KeyClient;
}

/** Where active keys come from: the SQLite store, or any other store with the same calls. */
export interface KeySource {
  active(): ActiveKey[];
  findActive(hash: string): ActiveKey | undefined;
}

/**
 * Resolves callers to accounts without touching the store on the hot path: active keys are held
 * in a Map from key hash to account, reloaded every `refreshMs` (revocations take effect then,
 * or at once through `refresh()`). A key missing from the Map gets one indexed store lookup, so
 * a key issued a moment ago works immediately; misses are remembered until the next reload.
 */
export class KeyIndex {
  private byHash = new Map<string, ActiveKey>();
  /** Hashes recently looked up and not found, so a flood of bad keys does not hit the store. */
  private misses = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly source: KeySource | undefined,
    private readonly config: AuthConfig,
  ) {
    this.refresh();
    if (source) {
      this.timer = setInterval(() => this.refresh(), config.refreshMs);
      this.timer.unref();
    }
  }

  /** Reloads every active key from the source. */
  refresh(): void {
    if (!this.source) return;
    try {
      const next = new Map<string, ActiveKey>();
      for (const k of this.source.active()) next.set(k.hash, k);
      this.byHash = next;
      this.misses = new Set();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'key index refresh failed; keeping the last one');
    }
  }

  /** Identifies a request from its headers, or throws MOAT_ERR_INVALID_KEY. */
  identify(headers: IncomingHttpHeaders): Identity {
    const trusted = this.config.trustedHeader;
    if (trusted) {
      const account = headers[trusted.account];
      if (typeof account === 'string' && account !== '') {
        const tier = trusted.tier ? headers[trusted.tier] : undefined;
        const identity: Identity = {
          account,
          tier: typeof tier === 'string' && tier !== '' ? tier : trusted.defaultTier,
        };
        const client = trustedClient(headers, trusted);
        if (client) identity.client = client;
        return identity;
      }
    }

    const secret = this.config.keys ? presentedKey(headers) : undefined;
    if (!secret) throw new MoatError('MOAT_ERR_INVALID_KEY');
    const hash = hashKey(secret);
    const found = this.byHash.get(hash) ?? this.lookup(hash);
    if (!found) throw new MoatError('MOAT_ERR_INVALID_KEY');
    const identity: Identity = { account: found.account, tier: found.tier, key: found.id };
    if (found.client) identity.client = found.client;
    return identity;
  }

  /** Stops the refresh timer. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private lookup(hash: string): ActiveKey | undefined {
    if (!this.source || this.misses.has(hash)) return undefined;
    try {
      const found = this.source.findActive(hash);
      if (found) this.byHash.set(hash, found);
      else if (this.misses.size < MAX_MISSES) this.misses.add(hash);
      return found;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'key lookup failed');
      return undefined;
    }
  }
}

/** The key from `Authorization: Bearer ...` (OpenAI) or `x-api-key` (Anthropic). */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ') {
    return auth.slice(7).trim();
  }
  const x = headers['x-api-key'];
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/** Payment fingerprint and sign-up time from the trusted headers, when configured and sent. */
function trustedClient(
  headers: IncomingHttpHeaders,
  trusted: TrustedHeaderConfig,
): Identity['client'] {
  const pay = trusted.paymentFp ? headers[trusted.paymentFp] : undefined;
  const signup = trusted.signupTs ? headers[trusted.signupTs] : undefined;
  if (typeof pay !== 'string' && typeof signup !== 'string') return undefined;

  const client: NonNullable<Identity['client']> = {};
  if (typeof pay === 'string' && pay !== '') client.payment_fp = pay;
  if (typeof signup === 'string' && !Number.isNaN(Date.parse(signup))) client.signup_ts = signup;
  return client;
}

import { bool, int, join, mapping, onlyKeys, str } from '../check.js';
import type { Section } from '../section.js';

/** Identity from a header set by the provider's own auth layer, trusted as is. */
export interface TrustedHeaderConfig {
  /** Header carrying the account id, e.g. `x-moat-account`. */
  account: string;
  /** Header carrying the tier name; when absent or empty, `defaultTier` applies. */
  tier?: string;
  defaultTier: string;
  /** Header carrying the account's payment fingerprint (an opaque hash), recorded on events. */
  paymentFp?: string;
  /** Header carrying the account's sign-up time (ISO 8601), recorded on events. */
  signupTs?: string;
}

/** How callers are identified. */
export interface AuthConfig {
  /** Accept Moat-issued API keys (`Authorization: Bearer` or `x-api-key`). */
  keys: boolean;
  trustedHeader?: TrustedHeaderConfig;
  /** How often the in-memory key index is reloaded from the store (revocations land then). */
  refreshMs: number;
}

/** The `auth` section. */
export const authSection: Section<AuthConfig> = {
  name: 'auth',
  parse(raw, path) {
    const m = mapping(raw, path);
    onlyKeys(m, path, ['keys', 'trusted_header', 'refresh_ms']);
    return {
      keys: bool(m, 'keys', path, true),
      trustedHeader: trustedHeader(m.trusted_header, join(path, 'trusted_header')),
      refreshMs: int(m, 'refresh_ms', path, 2_000, 100),
    };
  },
};

function trustedHeader(raw: unknown, path: string): TrustedHeaderConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const m = mapping(raw, path);
  onlyKeys(m, path, ['account', 'tier', 'default_tier', 'payment_fp', 'signup_ts']);
  return {
    account: str(m, 'account', path, 'x-moat-account').toLowerCase(),
    tier: str(m, 'tier', path)?.toLowerCase(),
    defaultTier: str(m, 'default_tier', path, 'standard'),
    paymentFp: str(m, 'payment_fp', path)?.toLowerCase(),
    signupTs: str(m, 'signup_ts', path)?.toLowerCase(),
  };
}

import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MoatError } from '../core/errors.js';
import { moatHome } from '../core/paths.js';
import { isIP } from 'node:net';

/**
 * Hashes that let two providers compare what they saw without showing it. With a salt shared
 * inside the sharing community, every value is an HMAC-SHA256 under that salt, so only members
 * can test a guess; without one, template hashes are plain SHA-256 and client hashes are not
 * produced at all (an IPv4 /24 has only 2^24 values: an unkeyed hash of one is no protection).
 */
export class Hasher {
  /** `hmac-sha256` with a community salt, else `sha256`. */
  readonly alg: 'hmac-sha256' | 'sha256';
  /** First 16 hex digits of SHA-256 of the salt: names the salt without revealing it. */
  readonly saltId: string | null;

  constructor(private readonly salt: Buffer | null) {
    this.alg = salt ? 'hmac-sha256' : 'sha256';
    this.saltId = salt ? createHash('sha256').update(salt).digest('hex').slice(0, 16) : null;
  }

  /** True when client (network, user agent) hashes may be produced. */
  get keyed(): boolean {
    return this.salt !== null;
  }

  /** 128-bit hex digest of `value` in a domain (`tpl`, `net`, `ua`, `acct`...). */
  hash(domain: string, value: string): string {
    const input = `moat/${domain}\u0000${value}`;
    const h = this.salt ? createHmac('sha256', this.salt) : createHash('sha256');
    return h.update(input).digest('hex').slice(0, 32);
  }

  /** A 32-bit seed derived from the salt, for the cheap keyed word hashes of the SimHash. */
  get seed(): number {
    return this.salt ? parseInt(this.hash('seed', '').slice(0, 8), 16) : 0x811c9dc5;
  }
}

const MOAT_NAMESPACE = '4f1c6b2e-9a47-5d3e-8b61-2c0e7f5a9d14';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/**
 * An RFC 4122 version 5 UUID of `name` in Moat's namespace: the same content always gets the
 * same id, so exporting the same report twice gives the same STIX ids.
 */
export function uuidv5(name: string, namespace = MOAT_NAMESPACE): string {
  const digest = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const b = digest.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return `${parts.join('-')}-${hex.slice(20)}`;
}

function expandIpv6(ip: string): string[] | null {
  const zoneless = ip.split('%')[0];
  const [head, tail] = zoneless.includes('::') ? zoneless.split('::') : [zoneless, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  if (right.length && right[right.length - 1].includes('.')) return null;
  const missing = 8 - left.length - right.length;
  if (tail === undefined && missing !== 0) return null;
  const groups = [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return groups.length === 8 ? groups.map((g) => parseInt(g || '0', 16).toString(16)) : null;
}

/**
 * The network an address belongs to, in one canonical spelling: the IPv4 /24 (`198.51.100.0/24`)
 * or the IPv6 /48 (`2001:db8:1::/48`). IPv4-mapped IPv6 counts as IPv4. Null when not an address.
 */
export function networkOf(ip: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const addr = mapped ? mapped[1] : ip.trim();
  const kind = isIP(addr.split('%')[0]);
  if (kind === 4) {
    const p = addr.split('.');
    return `${p[0]}.${p[1]}.${p[2]}.0/24`;
  }
  if (kind !== 6) return null;
  const groups = expandIpv6(addr);
  return groups ? `${groups.slice(0, 3).join(':')}::/48` : null;
}

/**
 * A hasher keyed with this provider's own secret (`MOAT_HOME/intel-local.key`, 32 random bytes,
 * created on first use). Campaign keys are hashed with it: they must be stable across exports
 * but nobody else needs to recompute them, so no one, salt holder or not, can test a guessed
 * account id against them.
 */
export function localHasher(file = join(moatHome(), 'intel-local.key')): Hasher {
  try {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(32), { flag: 'wx', mode: 0o600 });
      chmodSync(file, 0o600);
    }
    return new Hasher(readFileSync(file));
  } catch (err) {
    throw new MoatError('MOAT_ERR_STORE', `cannot use ${file}: ${(err as Error).message}`);
  }
}

import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODES = Buffer.from(ALPHABET, 'latin1');

// Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id, which
// matters on the gateway's request path (one event id per call).
let pool = Buffer.alloc(0);
let poolAt = 0;

// The time part of the last id: calls in the same millisecond reuse it.
let lastMs = -1;
let lastTime = '';

// The random part is spelled into this buffer, then read as one string.
const spelled = Buffer.alloc(16);

function timePart(now: number): string {
  if (now === lastMs) return lastTime;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  lastMs = now;
  lastTime = time;
  return time;
}

/**
 * A sortable unique id: 10 characters of millisecond time then 16 random ones, in Crockford
 * base32, behind a prefix (`evt_`, `key_`, ...). Sorting ids sorts by creation time.
 */
export function newId(prefix: string, now = Date.now()): string {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  for (let i = 0; i < 16; i++) spelled[i] = CODES[pool[poolAt + i] % 32];
  poolAt += 16;
  return `${prefix}_${timePart(now)}${spelled.toString('latin1', 0, 16)}`;
}

import type { ClientInfo } from '../core/event.js';
import type { Rng } from './rng.js';

/** Client strings of real SDKs and HTTP libraries, as they appear in User-Agent headers. */
export const SDK_USER_AGENTS = [
  'OpenAI/Python 1.54.4',
  'OpenAI/Python 1.59.7',
  'OpenAI/Python 1.82.0',
  'OpenAI/JS 4.77.0',
  'OpenAI/JS 5.3.0',
  'Anthropic/Python 0.42.0',
  'Anthropic/JS 0.33.1',
  'python-httpx/0.27.2',
  'python-requests/2.32.3',
  'axios/1.7.9',
  'Go-http-client/2.0',
  'langchain-openai/0.2.14',
  'curl/8.5.0',
];

/** Network address kinds a client can come from. */
export type AddressKind = 'cloud' | 'office' | 'residential' | 'proxy';

/** First octets typical of each kind; second and later octets are drawn per network. */
const FIRST_OCTET: Record<AddressKind, number[]> = {
  cloud: [3, 18, 34, 35, 44, 52, 54, 104, 137, 146, 159, 165],
  office: [62, 80, 81, 193, 194, 195, 212, 213, 217],
  residential: [24, 67, 68, 71, 73, 76, 86, 90, 98, 174, 185, 188],
  proxy: [45, 91, 103, 138, 149, 154, 172, 176, 185, 193],
};

/** A /24 network of the given kind, as its first three octets. */
export function network(kind: AddressKind, rng: Rng): string {
  return `${rng.pick(FIRST_OCTET[kind])}.${rng.int(256)}.${rng.int(256)}`;
}

/** A host address inside a /24 network. */
export function host(net: string, rng: Rng): string {
  return `${net}.${rng.range(2, 254)}`;
}

/** An opaque identifier: a prefix and random hex, revealing nothing about the owner. */
export function opaque(prefix: string, rng: Rng, len = 12): string {
  return `${prefix}_${rng.hex(len)}`;
}

/** The fixed client identity of one account: where it connects from, with what, who pays. */
export interface Identity {
  ips: string[];
  userAgent: string;
  paymentFp: string;
  signupTs: string;
}

/** The event `client` block for one request of an account (one of its addresses). */
export function clientInfo(id: Identity, rng: Rng): ClientInfo {
  return {
    ip: id.ips.length === 1 ? id.ips[0] : rng.pick(id.ips),
    user_agent: id.userAgent,
    payment_fp: id.paymentFp,
    signup_ts: id.signupTs,
  };
}

/** An ordinary customer's identity: its own network, one SDK, its own card, an older sign-up. */
export function customerIdentity(
  rng: Rng,
  startMs: number,
  kind: AddressKind,
  hosts: number,
): Identity {
  const net = network(kind, rng);
  const ips = Array.from({ length: Math.max(1, hosts) }, () => host(net, rng));
  // Most customers signed up months ago; some are brand new, as harvesters usually are.
  const ageDays = rng.chance(0.08) ? rng.next() * 2 : 3 + rng.exponential(120);
  return {
    ips,
    userAgent: rng.pick(SDK_USER_AGENTS),
    paymentFp: opaque('pm', rng, 10),
    signupTs: new Date(startMs - ageDays * 86_400_000).toISOString(),
  };
}

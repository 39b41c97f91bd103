import type { EventFeatures } from '../features.js';

const DAY_MS = 86_400_000;
const BURST_MS = 3_600_000;

/** A linking key: accounts that share it act as one. `kind` names the evidence in reasons. */
export interface LinkKey {
  kind: string;
  key: string;
}

function bucket(ms: number, width: number): number {
  return Math.floor(ms / width);
}

/**
 * Keys from an account's infrastructure, emitted on its first event and when it shows a new
 * network. A payment fingerprint links alone; weaker attributes link only in combination (a
 * network with a client and a sign-up day, a network with a sign-up hour), so a common user
 * agent or a busy network does not join unrelated customers.
 */
export function infraKeys(f: EventFeatures): LinkKey[] {
  const keys: LinkKey[] = [];
  if (f.payment) keys.push({ kind: 'payment fingerprint', key: `pay\u0000${f.payment}` });
  if (f.signupMs === null || !f.net) return keys;
  const day = bucket(f.signupMs, DAY_MS);
  const burst = bucket(f.signupMs, BURST_MS);
  if (f.ua)
    keys.push({ kind: 'network and client', key: `net\u0000${f.net}\u0000${f.ua}\u0000${day}` });
  keys.push({ kind: 'sign-up burst', key: `burst\u0000${burst}\u0000${f.net}` });
  return keys;
}

/**
 * Keys from an established prompt template, emitted once an account's top template repeats.
 * A shared template links only together with a shared client, network or sign-up day.
 */
export function templateKeys(f: EventFeatures, template: number): LinkKey[] {
  const keys: LinkKey[] = [];
  if (f.ua) keys.push({ kind: 'shared template', key: `tpl\u0000${template}\u0000${f.ua}` });
  if (f.net) keys.push({ kind: 'shared template', key: `tpln\u0000${template}\u0000${f.net}` });
  if (f.signupMs !== null) {
    const day = bucket(f.signupMs, DAY_MS);
    keys.push({ kind: 'shared template', key: `tpls\u0000${template}\u0000${day}` });
  }
  return keys;
}

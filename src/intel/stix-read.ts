import type {
  CampaignSignature,
  ClientFingerprint,
  HashInfo,
  SignalFigure,
  TemplateFingerprint,
} from './signature.js';
import type { StixBundle, StixObject } from './stix.js';
import { TEMPLATE_KINDS, type TemplateKind } from './templates.js';

/**
 * Reads Moat campaign signatures back out of STIX: campaigns carrying `x_moat_signature_version`
 * and the indicators that `indicates` them. Objects from other producers or tools are ignored;
 * malformed Moat properties are dropped one by one rather than failing the whole bundle.
 */

const HASH = /^[0-9a-f]{32}$/;

/** A signature as received: the STIX ids and producer it came with. */
export interface ReceivedSignature extends CampaignSignature {
  stix_id: string;
  modified: string;
  producer: string;
  hash_info: HashInfo;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : [];
}

function templates(v: unknown): TemplateFingerprint[] {
  return list(v)
    .filter((t) => HASH.test(String(t.hash)) && TEMPLATE_KINDS.includes(t.kind as TemplateKind))
    .map((t) => ({
      kind: t.kind as TemplateKind,
      hash: String(t.hash),
      events: num(t.events),
      share: num(t.share),
      accounts: num(t.accounts),
    }));
}

function clients(v: unknown): ClientFingerprint[] {
  return list(v)
    .filter((c) => HASH.test(String(c.hash)))
    .map((c) => ({ hash: String(c.hash), share: num(c.share) }));
}

function hashInfo(v: unknown): HashInfo {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  return {
    alg: o.alg === 'hmac-sha256' ? 'hmac-sha256' : 'sha256',
    salt_id: typeof o.salt_id === 'string' ? o.salt_id : null,
  };
}

/** A flat object of numbers, as the params, timing and volume figures are. */
function isFigures(v: unknown): v is Record<string, number> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Every Moat campaign signature in a checked bundle. */
export function signaturesFromBundle(bundle: StixBundle): ReceivedSignature[] {
  const byId = new Map(bundle.objects.map((o) => [o.id, o]));
  const indicatorsOf = new Map<string, StixObject[]>();
  for (const o of bundle.objects) {
    if (o.type !== 'relationship' || o.relationship_type !== 'indicates') continue;
    const ind = byId.get(String(o.source_ref));
    if (!ind || ind.type !== 'indicator') continue;
    const target = String(o.target_ref);
    indicatorsOf.set(target, [...(indicatorsOf.get(target) ?? []), ind]);
  }

  const out: ReceivedSignature[] = [];
  for (const c of bundle.objects) {
    if (c.type !== 'campaign' || typeof c.x_moat_signature_version !== 'number') continue;
    const key = str(c.x_moat_key);
    if (!key || !HASH.test(key)) continue;
    const producer = byId.get(String(c.created_by_ref));
    const sig: ReceivedSignature = {
      stix_id: c.id,
      modified: String(c.modified),
      producer: str(producer?.name) ?? 'unknown',
      hash_info: hashInfo(c.x_moat_hash),
      key,
      accounts: num(c.x_moat_accounts),
      events: num(c.x_moat_events),
      risk: num(c.x_moat_risk),
      first_alert: str(c.x_moat_first_alert) ?? String(c.created),
      first_seen: str(c.first_seen),
      last_seen: str(c.last_seen),
      reasons: list(c.x_moat_reasons).map((r): SignalFigure => ({
        signal: String(r.signal),
        value: num(r.value),
      })),
      text_events: typeof c.x_moat_text_events === 'number' ? c.x_moat_text_events : undefined,
      simhash: /^[0-9a-f]{16}$/.test(String(c.x_moat_simhash))
        ? String(c.x_moat_simhash)
        : undefined,
    };
    for (const name of ['params', 'timing', 'volume'] as const) {
      const v = c[`x_moat_${name}`];
      if (isFigures(v)) (sig as unknown as Record<string, unknown>)[name] = v;
    }
    for (const ind of indicatorsOf.get(c.id) ?? []) {
      const t = templates(ind.x_moat_templates);
      if (t.length) sig.templates = t;
      const n = clients(ind.x_moat_networks);
      if (n.length) sig.networks = n;
      const u = clients(ind.x_moat_user_agents);
      if (u.length) sig.user_agents = u;
    }
    out.push(sig);
  }
  return out;
}

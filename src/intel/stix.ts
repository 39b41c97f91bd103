import { uuidv5 } from './hashing.js';
import type { CampaignSignature, SignatureSet } from './signature.js';
import { SIGNATURE_VERSION } from './signature.js';

/**
 * Maps signatures to STIX 2.1: an `identity` for the producer, a TLP `marking-definition`, a
 * `campaign` per signature carrying its figures as `x_moat_*` custom properties, an `indicator`
 * for its prompt templates and one for its client hashes (STIX patterns over the custom
 * observable types `x-moat-prompt` and `x-moat-client`), `indicates` relationships, and a
 * `bundle`. Ids are UUIDv5 of the content, so the same signatures always give the same bundle.
 */

/** A STIX object as JSON. */
export type StixObject = Record<string, unknown> & { type: string; id: string };

/** A STIX 2.1 bundle. */
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export type Tlp = 'white' | 'green' | 'amber' | 'red';

/** The four TLP 1.0 marking definitions as STIX 2.1 fixes them (ids and dates are normative). */
export const TLP_MARKINGS: Record<Tlp, StixObject> = {
  white: tlp('white', '613f2e26-407d-48c7-9eca-b8e91df99dc9'),
  green: tlp('green', '34098fce-860f-48ae-8e50-ebd3cc5e41da'),
  amber: tlp('amber', 'f88d31f6-486f-44da-b317-01333bde0b82'),
  red: tlp('red', '5e57c739-391a-4eb3-b6be-7d15ca92d5ed'),
};

function tlp(level: Tlp, uuid: string): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: `marking-definition--${uuid}`,
    created: '2017-01-20T00:00:00.000Z',
    definition_type: 'tlp',
    name: `TLP:${level.toUpperCase()}`,
    definition: { tlp: level },
  };
}

/** `created` of every producer identity: fixed, so the identity object never changes. */
const IDENTITY_CREATED = '2020-01-01T00:00:00.000Z';

/** The pattern type of Moat indicators: STIX patterning over Moat's custom observable types. */
export const PATTERN_TYPE = 'stix';

function ms(ts: string): string {
  return new Date(ts).toISOString();
}

/** The id of the producer's identity object. */
export function identityId(producer: string): string {
  return `identity--${uuidv5(`identity|${producer}`)}`;
}

function orPattern(type: string, parts: [string, string][]): string {
  return `[${parts.map(([prop, h]) => `${type}:${prop} = '${h}'`).join(' OR ')}]`;
}

/** Copies `value` under `name` unless it is undefined or an empty list (STIX forbids both). */
function put(obj: Record<string, unknown>, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value) && value.length === 0) return;
  obj[name] = value;
}

function campaignObject(sig: CampaignSignature, set: SignatureSet, common: Common): StixObject {
  const id = `campaign--${uuidv5(`campaign|${set.producer}|${sig.key}`)}`;
  const signals = sig.reasons.map((r) => `${r.signal} ${r.value}`).join(', ');
  const obj: StixObject = {
    type: 'campaign',
    spec_version: '2.1',
    id,
    ...common.times(sig),
    created_by_ref: common.identity,
    name: `Harvesting campaign ${sig.key.slice(0, 12)}`,
    description:
      `Model-output harvesting seen by ${set.producer}: ${sig.accounts} account(s), ` +
      `${sig.events} event(s), risk ${sig.risk}.${signals ? ` Signals: ${signals}.` : ''}`,
    objective: 'Collect model outputs to train a copy of the model (distillation).',
    confidence: Math.max(0, Math.min(100, Math.round(sig.risk * 100))),
    object_marking_refs: [common.marking],
    x_moat_signature_version: SIGNATURE_VERSION,
    x_moat_key: sig.key,
    x_moat_hash: { alg: set.hash.alg, ...(set.hash.salt_id ? { salt_id: set.hash.salt_id } : {}) },
    x_moat_accounts: sig.accounts,
    x_moat_events: sig.events,
    x_moat_risk: sig.risk,
    x_moat_first_alert: ms(sig.first_alert),
  };
  if (sig.first_seen) obj.first_seen = ms(sig.first_seen);
  if (sig.last_seen) obj.last_seen = ms(sig.last_seen);
  put(obj, 'x_moat_reasons', sig.reasons);
  put(obj, 'x_moat_text_events', sig.text_events);
  put(obj, 'x_moat_simhash', sig.simhash);
  put(obj, 'x_moat_params', sig.params);
  put(obj, 'x_moat_timing', sig.timing);
  put(obj, 'x_moat_volume', sig.volume);
  return obj;
}

interface Common {
  identity: string;
  marking: string;
  times(sig: CampaignSignature): { created: string; modified: string };
}

function indicators(sig: CampaignSignature, campaign: StixObject, common: Common): StixObject[] {
  const out: StixObject[] = [];
  const base = {
    spec_version: '2.1',
    ...common.times(sig),
    created_by_ref: common.identity,
    indicator_types: ['malicious-activity'],
    pattern_type: PATTERN_TYPE,
    pattern_version: '2.1',
    valid_from: ms(sig.first_alert),
    object_marking_refs: [common.marking],
    x_moat_key: sig.key,
  };
  if (sig.templates?.length) {
    out.push({
      type: 'indicator',
      id: `indicator--${uuidv5(`indicator|templates|${campaign.id}`)}`,
      ...base,
      name: `Prompt templates of ${campaign.name as string}`,
      pattern: orPattern(
        'x-moat-prompt',
        sig.templates.map((t) => ['template_hash', t.hash]),
      ),
      x_moat_templates: sig.templates,
    });
  }
  const clients: [string, string][] = [
    ...(sig.networks ?? []).map((c): [string, string] => ['network_hash', c.hash]),
    ...(sig.user_agents ?? []).map((c): [string, string] => ['user_agent_hash', c.hash]),
  ];
  if (clients.length) {
    const obj: StixObject = {
      type: 'indicator',
      id: `indicator--${uuidv5(`indicator|clients|${campaign.id}`)}`,
      ...base,
      name: `Client fingerprints of ${campaign.name as string}`,
      pattern: orPattern('x-moat-client', clients),
    };
    put(obj, 'x_moat_networks', sig.networks);
    put(obj, 'x_moat_user_agents', sig.user_agents);
    out.push(obj);
  }
  return out;
}

function indicates(
  indicator: StixObject,
  campaign: StixObject,
  common: Common,
  sig: CampaignSignature,
): StixObject {
  return {
    type: 'relationship',
    spec_version: '2.1',
    id: `relationship--${uuidv5(`relationship|indicates|${indicator.id}|${campaign.id}`)}`,
    ...common.times(sig),
    created_by_ref: common.identity,
    relationship_type: 'indicates',
    source_ref: indicator.id,
    target_ref: campaign.id,
    object_marking_refs: [common.marking],
  };
}

/**
 * The STIX 2.1 bundle of a signature set, marked with the TLP level given. Objects come in a
 * fixed order (marking, identity, then per campaign: campaign, indicators, relationships).
 */
export function toBundle(set: SignatureSet, level: Tlp = 'green'): StixBundle {
  const marking = TLP_MARKINGS[level];
  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: identityId(set.producer),
    created: IDENTITY_CREATED,
    modified: IDENTITY_CREATED,
    name: set.producer,
    identity_class: 'organization',
    object_marking_refs: [marking.id],
  };
  const common: Common = {
    identity: identity.id,
    marking: marking.id,
    times(sig) {
      const created = ms(sig.first_alert);
      const last = sig.last_seen && sig.last_seen > created ? ms(sig.last_seen) : created;
      return { created, modified: last };
    },
  };

  const objects: StixObject[] = [marking, identity];
  const campaigns = [...set.campaigns].sort((a, b) => (a.key < b.key ? -1 : 1));
  for (const sig of campaigns) {
    const campaign = campaignObject(sig, set, common);
    const inds = indicators(sig, campaign, common);
    objects.push(campaign, ...inds, ...inds.map((i) => indicates(i, campaign, common, sig)));
  }

  const digest = objects.map((o) => `${o.id}@${String(o.modified ?? o.created)}`).join('\n');
  return { type: 'bundle', id: `bundle--${uuidv5(`bundle|${digest}`)}`, objects };
}

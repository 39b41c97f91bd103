import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { campaignKey, extractSignatures, readReport } from '../../src/intel/extract.js';
import { Hasher, localHasher } from '../../src/intel/hashing.js';
import { SchemaSet } from '../../src/intel/jsonschema.js';
import { parseBundle } from '../../src/intel/stix-check.js';
import { signaturesFromBundle } from '../../src/intel/stix-read.js';
import { toBundle, type StixBundle } from '../../src/intel/stix.js';
import {
  ATTACK_IPS,
  COMMON_UA,
  CUSTOMER_PROMPTS,
  HARVEST_HEAD,
  HARVEST_UA,
  QUESTIONS,
  SALT,
  SHARED_SYSTEM,
  fixtureEvents,
  schemaDir,
  writeFixture,
} from './fixture.js';

const fx = writeFixture();
after(() => rmSync(fx.dir, { recursive: true, force: true }));

async function exportBundle(salt: Buffer | null = SALT): Promise<StixBundle> {
  const set = await extractSignatures(readReport(fx.report), fx.events, {
    hasher: new Hasher(salt),
    producer: 'Example Provider',
  });
  return toBundle(set, 'amber');
}

const SCHEMA_OF: Record<string, string> = {
  campaign: 'sdos/campaign.json',
  identity: 'sdos/identity.json',
  indicator: 'sdos/indicator.json',
  relationship: 'sros/relationship.json',
  'marking-definition': 'common/marking-definition.json',
};

function schemas(t: { skip(msg: string): void }): SchemaSet | null {
  const dir = schemaDir();
  if (dir) return SchemaSet.fromDir(dir);
  if (process.env.CI === 'true')
    assert.fail('the STIX 2.1 schemas are missing at ../shared/stix2.1');
  t.skip('STIX 2.1 schemas not found beside the repository (../shared/stix2.1)');
  return null;
}

test('the bundle and each object validate against the OASIS STIX 2.1 schemas', async (t) => {
  const set = schemas(t);
  if (!set) return;
  const bundle = await exportBundle();
  const types = new Set(bundle.objects.map((o) => o.type));
  for (const type of ['campaign', 'identity', 'indicator', 'relationship', 'marking-definition']) {
    assert.ok(types.has(type), `the bundle has a ${type}`);
  }

  assert.deepEqual(set.validate(set.idOf('common/bundle.json'), bundle), []);
  for (const o of bundle.objects) {
    const errors = set.validate(set.idOf(SCHEMA_OF[o.type]), o);
    assert.deepEqual(errors, [], `${o.id} validates against ${SCHEMA_OF[o.type]}`);
  }
});

test('the validator rejects objects that break the schema rules Moat relies on', async (t) => {
  const set = schemas(t);
  if (!set) return;
  const bundle = await exportBundle();
  const campaign = bundle.objects.find((o) => o.type === 'campaign')!;
  const schema = set.idOf('sdos/campaign.json');
  const broken: [string, Record<string, unknown>][] = [
    ['no name', { ...campaign, name: undefined }],
    ['hyphen in a custom property', { ...campaign, 'x-moat-key': 'a' }],
    ['an empty custom list', { ...campaign, x_moat_reasons: [] }],
    ['seconds-only created', { ...campaign, created: '2026-11-30T00:08:00Z' }],
    [
      'an id of another type',
      { ...campaign, id: campaign.id.replace('campaign--', 'indicator--') },
    ],
    ['a null property', { ...campaign, x_moat_simhash: null }],
  ];
  for (const [why, obj] of broken) {
    const clean = JSON.parse(JSON.stringify(obj)) as unknown;
    assert.notDeepEqual(set.validate(schema, clean), [], `the schema refuses ${why}`);
  }
  const marking = {
    ...bundle.objects[0],
    id: 'marking-definition--11111111-1111-4111-8111-111111111111',
  };
  assert.notDeepEqual(set.validate(set.idOf('common/marking-definition.json'), marking), []);
});

test('every OASIS example passes the validator (it is not stricter than the schemas)', (t) => {
  const set = schemas(t);
  if (!set) return;
  const dir = join(schemaDir()!, '..', 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  files.push(...readdirSync(join(dir, 'threat-reports')).map((f) => `threat-reports/${f}`));
  assert.ok(files.length >= 8, 'the examples are there');
  for (const name of files) {
    const doc = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { type: string };
    const schema = doc.type === 'bundle' ? 'common/bundle.json' : SCHEMA_OF[doc.type];
    assert.deepEqual(set.validate(set.idOf(schema), doc), [], name);
  }
});

test('an export has no prompt text, account id, address, user agent or reason detail', async () => {
  for (const salt of [SALT, null]) {
    const text = JSON.stringify(await exportBundle(salt)).toLowerCase();
    const events = fixtureEvents();
    for (const e of events) {
      assert.ok(!text.includes(e.account.toLowerCase()), `no account id ${e.account}`);
      assert.ok(!text.includes(e.client.ip.toLowerCase()), `no address ${e.client.ip}`);
      assert.ok(!text.includes(e.id.toLowerCase()), 'no event id');
    }
    for (const needle of ['203.0.113', '2001:db8', '198.51.100', '192.0.2', 'c_1', 'pm_acct']) {
      assert.ok(!text.includes(needle), `no ${needle}`);
    }
    for (const ua of [HARVEST_UA, COMMON_UA, 'curl/8.5.0'])
      assert.ok(!text.includes(ua.toLowerCase()));

    const prompts = [...QUESTIONS, ...CUSTOMER_PROMPTS, HARVEST_HEAD, SHARED_SYSTEM];
    for (const p of prompts) {
      const words = p
        .toLowerCase()
        .replace(/[^a-z0-9 ]/g, ' ')
        .split(/\s+/)
        .filter(Boolean);
      for (let i = 0; i + 3 <= words.length; i++) {
        const phrase = words.slice(i, i + 3).join(' ');
        assert.ok(!text.includes(phrase), `no three-word phrase of a prompt ("${phrase}")`);
      }
    }
    assert.ok(!text.includes('secret answer text'), 'no response text');
    assert.ok(!text.includes('share a /24'), 'no reason detail');
  }
});

test('exports are stable: the same input gives byte-identical bundles and ids', async () => {
  const a = JSON.stringify(await exportBundle());
  const b = JSON.stringify(await exportBundle());
  assert.equal(a, b);

  const other = await exportBundle(Buffer.from('another-community-salt-xxxxxxxxx'));
  const ids = (s: string) => (JSON.parse(s) as StixBundle).objects.map((o) => o.id);
  assert.notDeepEqual(ids(a), ids(JSON.stringify(other)), 'another salt gives other campaign ids');
});

test('the signature keeps the campaign template and drops keys customers share', async () => {
  const bundle = parseBundle(JSON.stringify(await exportBundle()));
  const sigs = signaturesFromBundle(bundle);
  assert.equal(sigs.length, 2, 'the cluster and the lone account');

  const cluster = sigs.find((s) => s.accounts === 3)!;
  const kinds = (cluster.templates ?? []).map((t) => t.kind).sort();
  const why = 'heads and tail of the template; the system prompt customers share is dropped';
  assert.deepEqual(kinds, ['head4', 'head6', 'tail4'], why);
  assert.ok(cluster.templates!.every((t) => t.share === 1 && t.events === 180 && t.accounts === 3));
  assert.equal(cluster.networks?.length, 2, 'the IPv4 /24 and the IPv6 /48 of the harvesters');
  assert.equal(cluster.user_agents?.length, 1, 'the common user agent is dropped');
  assert.equal(cluster.events, 180);
  assert.equal(cluster.first_seen, '2026-11-30T00:00:00.000Z');
  assert.equal(cluster.hash_info.alg, 'hmac-sha256');
  assert.equal(cluster.params?.logprobs_share, 1, 'every harvest request asked for logprobs');
  assert.equal(cluster.params?.temperature_zero_share, 1);
  assert.equal(cluster.volume?.events_per_account_median, 60);
  assert.ok(cluster.timing!.interarrival_cv_median < 0.01, 'scripted, evenly spaced requests');
  assert.deepEqual(
    cluster.reasons.map((r) => r.signal),
    ['shared_network'],
  );

  const lone = sigs.find((s) => s.accounts === 1)!;
  const loneKinds = lone.templates?.map((t) => t.kind).sort();
  assert.deepEqual(loneKinds, ['head4', 'head6'], 'the lone harvester: its heads; tails vary');
});

test('without an event log the signature carries the report figures only', async () => {
  const set = await extractSignatures(readReport(fx.report), null, {
    hasher: new Hasher(SALT),
    producer: 'Example Provider',
  });
  assert.equal(set.campaigns.length, 2);
  for (const c of set.campaigns) {
    assert.equal(c.templates, undefined);
    assert.equal(c.first_seen, undefined);
  }
  const bundle = toBundle(set);
  assert.equal(bundle.objects.filter((o) => o.type === 'indicator').length, 0);
  assert.equal(bundle.objects.filter((o) => o.type === 'campaign').length, 2);
});

test('campaigns below the minimum risk are held back', async () => {
  const set = await extractSignatures(readReport(fx.report), null, {
    hasher: new Hasher(SALT),
    producer: 'Example Provider',
    minRisk: 0.9,
  });
  assert.deepEqual(
    set.campaigns.map((c) => c.accounts),
    [3],
    'the 0.98 cluster is shared, the 0.81 account is not',
  );
});

test('campaign keys use a local secret: salt holders cannot test guessed account ids', async () => {
  const keyFile = join(fx.dir, 'intel-local.key');
  const run = () =>
    extractSignatures(readReport(fx.report), null, {
      hasher: new Hasher(SALT),
      keyHasher: localHasher(keyFile),
      producer: 'Example Provider',
    });
  const first = await run();
  const second = await run();
  assert.deepEqual(
    first.campaigns.map((c) => c.key),
    second.campaigns.map((c) => c.key),
    'stable while the local key file stays',
  );
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);

  const cluster = ['acct_h1', 'acct_h2', 'acct_h3'];
  const guesses = [new Hasher(SALT), new Hasher(null)].map((h) => campaignKey(cluster, h));
  for (const c of first.campaigns) for (const g of guesses) assert.notEqual(c.key, g);
});

test('a log kept without text still gives parameter, timing and client figures', async () => {
  const file = join(fx.dir, 'no-text.jsonl');
  const lines = fixtureEvents().map((e) =>
    JSON.stringify({ ...e, input: undefined, output: undefined }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  const set = await extractSignatures(readReport(fx.report), file, {
    hasher: new Hasher(SALT),
    producer: 'Example Provider',
  });
  const cluster = set.campaigns.find((c) => c.accounts === 3)!;
  assert.equal(cluster.templates, undefined);
  assert.equal(cluster.simhash, undefined);
  assert.equal(cluster.text_events, 0);
  assert.equal(cluster.params?.logprobs_share, 1);
  assert.equal(cluster.networks?.length, 2);
  assert.equal(toBundle(set).objects.filter((o) => o.type === 'indicator').length, 2, 'clients');
});

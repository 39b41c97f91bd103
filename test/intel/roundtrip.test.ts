import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { extractSignatures, readReport } from '../../src/intel/extract.js';
import { Hasher } from '../../src/intel/hashing.js';
import { importBundle, importBundleText } from '../../src/intel/import.js';
import { matchEvents } from '../../src/intel/match.js';
import { IntelTable } from '../../src/intel/store.js';
import { SignatureIndex } from '../../src/intel/signature-index.js';
import { createTaxiiHandler, DEFAULT_COLLECTION } from '../../src/intel/taxii.js';
import { taxiiPull, taxiiPush } from '../../src/intel/taxii-client.js';
import { toBundle, type StixBundle } from '../../src/intel/stix.js';
import { parseBundle } from '../../src/intel/stix-check.js';
import { MoatError } from '../../src/core/errors.js';
import type { MountHandler } from '../../src/gateway/server.js';
import { parseIntelConfig } from '../../src/intel/config.js';
import { createIntelMount } from '../../src/intel/mount.js';
import { SALT, fixtureEvents, writeFixture } from './fixture.js';

const TOKEN = 'roundtrip-token-0123456789abcdef';
const fx = writeFixture();
let server: Server;
let collectionUrl: string;

before(async () => {
  const handler = createTaxiiHandler({ token: TOKEN, db: new Database(':memory:') });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  collectionUrl = `http://127.0.0.1:${port}/taxii2/moat/collections/${DEFAULT_COLLECTION.id}/`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(fx.dir, { recursive: true, force: true });
});

/** Provider B's log: the campaign under new account names, addresses and user agent. */
function providerBLog(): string {
  const rename: Record<string, string> = { acct_h1: 'b_901', acct_h2: 'b_902', acct_h3: 'b_903' };
  const lines = fixtureEvents()
    .filter((e) => e.account !== 'acct_lone')
    .map((e) => {
      const account = rename[e.account] ?? e.account.replace('acct_', 'b_');
      const client = rename[e.account]
        ? { ip: '100.64.7.9', user_agent: 'harvest-kit/1.0' }
        : e.client;
      return JSON.stringify({ ...e, account, client });
    });
  const file = join(fx.dir, 'provider-b.jsonl');
  writeFileSync(file, `${lines.join('\n')}\nnot json at all\n`);
  return file;
}

test('round trip: export, push over TAXII, pull, import, match on another log', async () => {
  const set = await extractSignatures(readReport(fx.report), fx.events, {
    hasher: new Hasher(SALT),
    producer: 'Provider A',
  });
  const bundle = toBundle(set);
  const status = await taxiiPush(collectionUrl, bundle, TOKEN);
  assert.equal(status.success_count, bundle.objects.length);

  const pulled = await taxiiPull(collectionUrl, TOKEN);
  assert.equal(pulled.objects.length, bundle.objects.length);
  const received: StixBundle = { type: 'bundle', id: bundle.id, objects: pulled.objects };

  const table = new IntelTable(new Database(':memory:'));
  const result = importBundle(parseBundle(JSON.stringify(received)), table);
  assert.equal(result.added, 2);
  assert.equal(table.count(), 2);
  assert.equal(importBundle(received, table).unchanged, 2, 'importing again changes nothing');

  const matched = await matchEvents(providerBLog(), table.all(), new Hasher(SALT));
  assert.equal(matched.skipped, 1, 'the malformed line is skipped, not fatal');
  const accounts = [...new Set(matched.matches.map((m) => m.account))].sort();
  assert.deepEqual(accounts, ['b_901', 'b_902', 'b_903'], 'the harvesters, and no customer');
  for (const m of matched.matches) {
    assert.deepEqual(m.matched_by, ['templates']);
    assert.equal(m.template_share, 1);
    assert.equal(m.producer, 'Provider A');
  }
});

test('a provider with another salt cannot match, and is told so', async () => {
  const set = await extractSignatures(readReport(fx.report), fx.events, {
    hasher: new Hasher(SALT),
    producer: 'Provider A',
  });
  const table = new IntelTable(new Database(':memory:'));
  importBundle(toBundle(set), table);
  const other = new Hasher(Buffer.from('a-different-community-salt-value'));
  const result = await matchEvents(fx.events, table.all(), other);
  assert.equal(result.matches.length, 0);
  assert.equal(result.incomparable.length, 2);
});

test('client fingerprints match when addresses stay in the same /24', async () => {
  const set = await extractSignatures(readReport(fx.report), fx.events, {
    hasher: new Hasher(SALT),
    producer: 'Provider A',
  });
  const table = new IntelTable(new Database(':memory:'));
  importBundle(toBundle(set), table);
  const result = await matchEvents(fx.events, table.all(), new Hasher(SALT));
  const h1 = result.matches.find((m) => m.account === 'acct_h1')!;
  assert.deepEqual(h1.matched_by, ['templates', 'clients']);
  assert.ok(!result.matches.some((m) => m.account.startsWith('acct_c')), 'no customer matches');
});

test('a broken bundle is refused with the object and the reason, and nothing is stored', () => {
  const table = new IntelTable(new Database(':memory:'));
  const bad = JSON.stringify({
    type: 'bundle',
    id: 'bundle--6c1b3b1e-8d4a-4b53-9a55-0a9d1f1a2b3c',
    objects: [{ type: 'campaign', id: 'campaign--1', spec_version: '2.1' }],
  });
  assert.throws(
    () => importBundleText(bad, table),
    (err: unknown) =>
      err instanceof MoatError &&
      err.name === 'MOAT_ERR_INTEL_BUNDLE' &&
      /object 0/.test(err.message),
  );
  assert.throws(() => importBundleText('[]', table), /not a STIX bundle/);
  assert.equal(table.count(), 0);
});

test('the gateway mount imports signatures that another provider POSTs', async () => {
  const db = new Database(':memory:');
  const intel = parseIntelConfig({ token: TOKEN, producer: 'Provider B' });
  const mount = createIntelMount(intel, db);
  const asGatewayMount: MountHandler = mount.handler;
  const srv = createServer((req, res) => void asGatewayMount(req, res));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/taxii2/moat/collections/campaigns/`;
    const set = await extractSignatures(readReport(fx.report), fx.events, {
      hasher: new Hasher(SALT),
      producer: 'Provider A',
    });
    await taxiiPush(url, toBundle(set), TOKEN);
    assert.equal(mount.table.count(), 2);
    assert.equal(mount.table.all()[0].producer, 'Provider A');
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('the signature index looks single events up, as a live detector would', async () => {
  const set = await extractSignatures(readReport(fx.report), fx.events, {
    hasher: new Hasher(SALT),
    producer: 'Provider A',
  });
  const table = new IntelTable(new Database(':memory:'));
  importBundle(toBundle(set), table);
  const index = new SignatureIndex(table.all(), new Hasher(SALT));
  const events = fixtureEvents();
  const harvest = events.find((e) => e.account === 'acct_h2')!;
  const customer = events.find((e) => e.account === 'acct_c1')!;

  const hit = index.lookup(harvest);
  assert.equal(hit.text, true);
  assert.equal(hit.templates.length, 1);
  assert.equal(index.signatures[hit.templates[0]].accounts, 3);
  assert.deepEqual(index.lookup(customer).templates, []);
  assert.deepEqual(index.lookup(customer).clients, []);
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { createTaxiiHandler, DEFAULT_COLLECTION } from '../../src/intel/taxii.js';
import { TAXII_MEDIA_TYPE } from '../../src/intel/taxii-http.js';
import { taxiiPull, taxiiPush } from '../../src/intel/taxii-client.js';
import { TLP_MARKINGS, type StixObject } from '../../src/intel/stix.js';
import { uuidv5 } from '../../src/intel/hashing.js';

const TOKEN = 'taxii-test-token-0123456789';
let server: Server;
let base: string;
let added: StixObject[] = [];

before(async () => {
  const handler = createTaxiiHandler({
    token: TOKEN,
    db: new Database(':memory:'),
    pageSize: 5,
    maxContentLength: 64 * 1024,
    onAdded: (objects) => added.push(...objects),
  });
  server = createServer((req, res) => {
    handler(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end('not taxii');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const collection = () => `${base}/taxii2/moat/collections/${DEFAULT_COLLECTION.id}/`;

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    headers: { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${TOKEN}`, ...headers },
  });
}

function indicator(i: number, modified = '2026-11-30T00:00:00.000Z'): StixObject {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuidv5(`test-indicator-${i}`)}`,
    created: '2026-11-30T00:00:00.000Z',
    modified,
    pattern: `[x-moat-prompt:template_hash = '${String(i).padStart(32, '0')}']`,
    pattern_type: 'stix',
    valid_from: '2026-11-30T00:00:00.000Z',
  };
}

test('discovery, API root and collections answer with the TAXII media type', async () => {
  const d = await get('/taxii2/');
  assert.equal(d.status, 200);
  assert.equal(d.headers.get('content-type'), TAXII_MEDIA_TYPE);
  const discovery = (await d.json()) as { api_roots: string[]; default: string };
  assert.deepEqual(discovery.api_roots, [`${base}/taxii2/moat/`]);

  const root = (await (await get('/taxii2/moat/')).json()) as Record<string, unknown>;
  assert.deepEqual(root.versions, [TAXII_MEDIA_TYPE]);
  assert.equal(root.max_content_length, 64 * 1024);

  const list = (await (await get('/taxii2/moat/collections/')).json()) as {
    collections: { id: string; can_write: boolean; media_types: string[] }[];
  };
  assert.equal(list.collections[0].id, DEFAULT_COLLECTION.id);
  assert.deepEqual(list.collections[0].media_types, ['application/stix+json;version=2.1']);
  const one = await get('/taxii2/moat/collections/campaigns/');
  assert.equal(((await one.json()) as { id: string }).id, DEFAULT_COLLECTION.id, 'by alias');
});

test('errors: 401 no token, 406 Accept, 415 type, 404, 405, 413, 400', async () => {
  const noAuth = await fetch(`${base}/taxii2/`, { headers: { accept: TAXII_MEDIA_TYPE } });
  assert.equal(noAuth.status, 401);
  assert.match(noAuth.headers.get('www-authenticate') ?? '', /^Bearer/);
  const err = (await noAuth.json()) as Record<string, string>;
  assert.equal(err.http_status, '401');
  assert.ok(err.title && err.error_code === 'taxii_unauthorized');
  assert.equal((await get('/taxii2/', { authorization: 'Bearer wrong' })).status, 401);

  assert.equal((await get('/taxii2/', { accept: 'text/html' })).status, 406);
  assert.equal(
    (await get('/taxii2/', { accept: 'application/taxii+json;version=2.0' })).status,
    406,
  );
  assert.equal((await get('/taxii2/', { accept: 'application/taxii+json' })).status, 200);

  const post = (body: string, type: string) =>
    fetch(`${collection()}objects/`, {
      method: 'POST',
      headers: { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${TOKEN}`, 'content-type': type },
      body,
    });
  assert.equal((await post('{"objects":[]}', 'application/json')).status, 415);
  assert.equal((await post('{not json', TAXII_MEDIA_TYPE)).status, 400);
  assert.equal((await post('{"no":"objects"}', TAXII_MEDIA_TYPE)).status, 400);
  const big = JSON.stringify({ objects: [], pad: 'x'.repeat(70 * 1024) });
  assert.equal((await post(big, TAXII_MEDIA_TYPE)).status, 413);

  const missing = await get('/taxii2/moat/collections/nope/objects/');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), TAXII_MEDIA_TYPE);
  assert.equal((await get('/taxii2/other/')).status, 404);
  const del = await fetch(`${collection()}objects/`, {
    method: 'DELETE',
    headers: { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(del.status, 405);
  assert.match(del.headers.get('allow') ?? '', /GET, POST/);
  assert.equal((await get(`/taxii2/moat/collections/campaigns/objects/?limit=0`)).status, 400);
});

test('a path outside /taxii2/ is left to the next handler', async () => {
  const res = await fetch(`${base}/v1/models`);
  assert.equal(res.status, 418);
});

test('POST answers with a status resource; bad objects are listed as failures', async () => {
  added = [];
  const objects = [indicator(1), indicator(2), { type: 'indicator', id: 'indicator--nope' }];
  const status = await taxiiPush(collection(), objects as StixObject[], TOKEN);
  assert.equal(status.status, 'complete');
  assert.equal(status.total_count, 3);
  assert.equal(status.success_count, 2);
  assert.equal(status.failure_count, 1);
  assert.match(status.failures![0].message ?? '', /id/);
  assert.equal(added.length, 2, 'the hook sees the objects that were added');

  const again = await get(`/taxii2/moat/status/${status.id}/`);
  assert.equal(((await again.json()) as { id: string }).id, status.id);
  assert.equal((await get('/taxii2/moat/status/unknown/')).status, 404);
});

test('GET objects pages with limit, more and next, and filters by added_after', async () => {
  const many = Array.from({ length: 12 }, (_, i) => indicator(100 + i));
  await taxiiPush(collection(), many, TOKEN);

  const first = await get(`/taxii2/moat/collections/campaigns/objects/?limit=4`);
  const page = (await first.json()) as { more: boolean; next: string; objects: StixObject[] };
  assert.equal(page.objects.length, 4);
  assert.equal(page.more, true);
  assert.ok(first.headers.get('x-taxii-date-added-first'));
  const firstAdded = first.headers.get('x-taxii-date-added-last')!;

  const pulled = await taxiiPull(collection(), TOKEN, { limit: 4 });
  const ids = pulled.objects.map((o) => o.id);
  assert.equal(new Set(ids).size, ids.length, 'no object twice');
  assert.ok(pulled.pages >= 4, `paged (${pulled.pages} pages)`);
  for (const o of many) assert.ok(ids.includes(o.id));

  const later = await taxiiPull(collection(), TOKEN, { addedAfter: firstAdded });
  assert.equal(later.objects.length, pulled.objects.length - 4, 'added_after skips the first page');
  const none = await taxiiPull(collection(), TOKEN, { addedAfter: pulled.lastAdded });
  assert.equal(none.objects.length, 0);
});

test('versions: the newest by default, all on request, and the manifest lists them', async () => {
  const v1 = indicator(500, '2026-11-30T01:00:00.000Z');
  const v2 = { ...v1, modified: '2026-11-30T02:00:00.000Z' };
  await taxiiPush(collection(), [v1, v2, v2], TOKEN);

  const one = await get(`/taxii2/moat/collections/campaigns/objects/${v1.id}/`);
  const env = (await one.json()) as { objects: StixObject[] };
  assert.deepEqual(
    env.objects.map((o) => o.modified),
    ['2026-11-30T02:00:00.000Z'],
  );
  const versions = await get(`/taxii2/moat/collections/campaigns/objects/${v1.id}/versions/`);
  assert.deepEqual(((await versions.json()) as { versions: string[] }).versions, [
    '2026-11-30T01:00:00.000Z',
    '2026-11-30T02:00:00.000Z',
  ]);
  const manifest = await get(
    `/taxii2/moat/collections/campaigns/manifest/?match[id]=${v1.id}&match[version]=all`,
  );
  const m = (await manifest.json()) as { objects: { media_type: string; date_added: string }[] };
  assert.equal(m.objects.length, 2);
  assert.equal(m.objects[0].media_type, 'application/stix+json;version=2.1');
  assert.match(m.objects[0].date_added, /\.\d{6}Z$/);

  const byType = await get(`/taxii2/moat/collections/campaigns/objects/?match[type]=campaign`);
  assert.equal(((await byType.json()) as { objects?: unknown[] }).objects, undefined);
  const missing = await get(`/taxii2/moat/collections/campaigns/objects/${indicator(999).id}/`);
  assert.equal(missing.status, 404);
});

test('marking definitions (no modified) are stored under their created time', async () => {
  await taxiiPush(collection(), [TLP_MARKINGS.green], TOKEN);
  const res = await get(
    `/taxii2/moat/collections/campaigns/objects/?match[type]=marking-definition`,
  );
  const env = (await res.json()) as { objects: StixObject[] };
  assert.equal(env.objects[0].id, TLP_MARKINGS.green.id);
});

test('a read-only collection refuses POST with 403, and lists as can_write false', async () => {
  const handler = createTaxiiHandler({
    token: TOKEN,
    db: new Database(':memory:'),
    collections: [{ ...DEFAULT_COLLECTION, alias: 'feed', canWrite: false }],
  });
  const srv = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/taxii2/moat/collections/feed/`;
    const info = (await (
      await fetch(url, { headers: { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${TOKEN}` } })
    ).json()) as { can_write: boolean };
    assert.equal(info.can_write, false);
    await assert.rejects(taxiiPush(url, [indicator(7)], TOKEN), /answered 403/);
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeFile } from '../../src/detect/analyze.js';
import { parseDetectConfig } from '../../src/detect/config.js';
import { Embedder, project, type EmbeddingsConfig } from '../../src/detect/embed.js';
import { extractFeatures } from '../../src/detect/features.js';
import { LiveDetector } from '../../src/detect/live.js';
import { promptText } from '../../src/detect/text.js';
import { event, T0 } from './fixtures.js';
import { mixedLog, toJsonl } from './scenario.js';

const DIM = 64;

/**
 * An OpenAI-compatible embedding endpoint that gives every prompt about invoices one direction,
 * every prompt about the weather another, and anything else a vector from its length: enough to
 * see that meaning, not wording, now sets the vector.
 */
function vectorOf(text: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  if (/invoice/i.test(text)) v[3] = 1;
  else if (/weather/i.test(text)) v[40] = 1;
  else {
    v[(text.length * 7) % DIM] = 1;
    v[(text.length * 13 + 5) % DIM] += 0.5;
  }
  return v;
}

const calls: { model: string; n: number; auth?: string }[] = [];
let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { model, input } = JSON.parse(body) as { model: string; input: string[] };
      calls.push({ model, n: input.length, auth: req.headers.authorization });
      const data = input.map((text, index) => ({ index, embedding: vectorOf(text) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: data.reverse(), model }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => server.close());

const config = (over: Partial<EmbeddingsConfig> = {}): EmbeddingsConfig => ({
  url,
  model: 'embed-small',
  batch: 64,
  timeoutMs: 2000,
  ...over,
});

function items(prompts: string[]) {
  return prompts.map((content, i) => {
    const e = event({ account: 'a', ms: T0 + i, input: { messages: [{ role: 'user', content }] } });
    return { f: extractFeatures(e), text: promptText(e)?.user };
  });
}

function cosine(a: Int8Array, b: Int8Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

test('the projection keeps one embedding one vector, whatever its scale', () => {
  const e = vectorOf('some other prompt');
  assert.deepEqual(project(e), project(e.map((x) => x * 3)));
  const invoice = project(vectorOf('invoice'));
  const weather = project(vectorOf('weather'));
  assert.ok(Math.abs(cosine(invoice, weather)) < 0.6, 'orthogonal stays far apart');
  assert.ok(cosine(invoice, project(vectorOf('invoice'))) > 0.99);
});

test('prompts worded apart but meaning one thing get one vector from the endpoint', async () => {
  process.env.MOAT_TEST_EMBED_KEY = 'sk-embed-test';
  calls.length = 0;
  const batch = items([
    'Please draft a polite reminder about the unpaid invoice from March',
    'Write to a client whose invoice is overdue, kindly',
    'What will the weather be like in Lisbon tomorrow?',
    'Summarise this paragraph in one line',
    'Translate good morning into French',
  ]);
  const hashed = batch.map((i) => i.f.text!.vec);
  assert.ok(cosine(hashed[0], hashed[1]) < 0.9, 'the hashed words differ');

  const embedder = new Embedder(config({ batch: 2, apiKeyEnv: 'MOAT_TEST_EMBED_KEY' }));
  await embedder.enrich(batch);
  assert.deepEqual(batch[0].f.text!.vec, batch[1].f.text!.vec);
  assert.ok(cosine(batch[0].f.text!.vec, batch[2].f.text!.vec) < 0.6);
  assert.equal(embedder.embedded, 5);
  assert.deepEqual(
    calls.map((c) => c.n),
    [2, 2, 1],
    'batches of the configured size',
  );
  assert.ok(calls.every((c) => c.model === 'embed-small' && c.auth === 'Bearer sk-embed-test'));
});

test('a dead endpoint leaves the hashed vectors and counts the prompts, nothing thrown', async () => {
  const batch = items(['invoice overdue', 'weather today']);
  const hashed = batch.map((i) => Array.from(i.f.text!.vec));
  const embedder = new Embedder(config({ url: 'http://127.0.0.1:9/v1', timeoutMs: 500 }));
  await embedder.enrich(batch);
  assert.deepEqual(
    batch.map((i) => Array.from(i.f.text!.vec)),
    hashed,
  );
  assert.equal(embedder.failed, 2);
  assert.equal(embedder.embedded, 0);
});

test('with embeddings, moat analyze (both ways) and the live path reach the same verdicts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-embed-'));
  const file = join(dir, 'mixed.jsonl');
  const events = mixedLog();
  writeFileSync(file, toJsonl(events));
  const withText = events.filter((e) => promptText(e)?.user).length;

  calls.length = 0;
  const offline = await analyzeFile(file, { config: { embeddings: config() } });
  assert.equal(offline.embedded, withText, 'every prompt was embedded');
  assert.equal(
    calls.reduce((n, c) => n + c.n, 0),
    withText,
  );
  const inline = await analyzeFile(file, { config: { embeddings: config() }, parallel: false });
  assert.deepEqual(inline.report, offline.report);

  // Asked for the same thread, the live path still runs the engine on its worker here.
  const live = new LiveDetector({ worker: false, config: { embeddings: config() } });
  for (const e of events) live.push(e);
  const report = await live.report();
  await live.close();
  assert.deepEqual(report, offline.report);

  const hashedOnly = (await analyzeFile(file)).report;
  assert.notDeepEqual(
    hashedOnly.accounts.map((a) => a.risk),
    offline.report.accounts.map((a) => a.risk),
    'the embeddings changed what the engine measured',
  );
});

test('a wrong embeddings setting stops start-up naming the key', () => {
  assert.throws(
    () => parseDetectConfig({ embeddings: { url: 'localhost:8000', model: 'm' } }),
    /detect\.embeddings\.url: must be an http\(s\) URL/,
  );
  assert.throws(
    () => parseDetectConfig({ embeddings: { url: 'http://h/v1' } }),
    /detect\.embeddings\.model: must be a non-empty string/,
  );
  assert.throws(
    () => parseDetectConfig({ embeddings: { url: 'http://h/v1', model: 'm', size: 3 } }),
    /detect\.embeddings\.size: unknown key/,
  );
  const ok = parseDetectConfig({ embeddings: { url: 'http://h/v1', model: 'm' } });
  assert.deepEqual(ok.embeddings, { url: 'http://h/v1', model: 'm', batch: 64, timeoutMs: 5000 });
  assert.equal(parseDetectConfig({}).embeddings, undefined);
});

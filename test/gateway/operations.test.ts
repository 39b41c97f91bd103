import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { parseEventLine } from '../../src/core/event-parse.js';
import { ANSWER } from './helpers/fake-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;
let out: string;

before(async () => {
  t = await startTestGateway({
    tiers: { standard: {}, keep: { retain_text: true, retain_text_hours: 1 } },
    events: { out: join(process.env.TMPDIR ?? '/tmp', `moat-ops-${process.pid}.jsonl`) },
  });
  out = join(process.env.TMPDIR ?? '/tmp', `moat-ops-${process.pid}.jsonl`);
});
after(async () => {
  await t.close();
  rmSync(out, { force: true });
});

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'private words' }] };
const client = (tier: string) =>
  new OpenAI({ apiKey: t.keys[tier], baseURL: `${t.gw.url}/v1`, maxRetries: 0 });

test('text is stored only for a tier with retain_text, with an expiry, then purged', async () => {
  await client('standard').chat.completions.create(ask);
  await client('keep').chat.completions.create(ask);
  await t.gw.flushEvents();

  const plain = t.store.events.list({ account: 'acct_standard' }).at(-1)!;
  assert.equal(plain.input, null);
  assert.equal(JSON.parse(plain.output!).text, undefined);
  assert.equal(plain.text_expires_at, null);

  const kept = t.store.events.list({ account: 'acct_keep' }).at(-1)!;
  assert.equal(JSON.parse(kept.input!).messages[0].content, 'private words');
  assert.equal(JSON.parse(kept.output!).text, ANSWER);
  const ttl = Date.parse(kept.text_expires_at!) - Date.parse(kept.ts);
  assert.ok(ttl > 3_500_000 && ttl < 3_700_000, `ttl ${ttl}`);

  assert.equal(t.store.events.purgeExpiredText(new Date(Date.now() + 7_200_000)), 1);
  const purged = t.store.events.list({ account: 'acct_keep' }).at(-1)!;
  assert.equal(purged.input, null);
  assert.deepEqual(JSON.parse(purged.output!), { finish_reason: 'stop' });
});

test('events.out gets one moat.event.v1 line per call, same retention rule', async () => {
  await client('standard').chat.completions.create(ask);
  await t.gw.flushEvents();
  await new Promise((r) => setTimeout(r, 50));
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const events = lines.map((l, i) => parseEventLine(l, i + 1));
  assert.ok(events.length >= 3);
  const last = events.at(-1)!;
  assert.equal(last.account, 'acct_standard');
  assert.equal(last.input, undefined);
  assert.ok(!readFileSync(out, 'utf8').includes(t.keys.standard), 'no secret in the log');
});

test('/metrics exposes requests by route, status and tier, and latency histograms', async () => {
  const text = await (await fetch(`${t.gw.url}/metrics`)).text();
  assert.match(
    text,
    /moat_requests_total\{route="chat.completions",status="200",tier="standard"\} \d+/,
  );
  assert.match(
    text,
    /moat_request_duration_seconds_bucket\{route="chat.completions",le="\+Inf"\} \d+/,
  );
  assert.match(text, /^moat_events_queue_depth \d+$/m);
  assert.match(text, /^moat_events_dropped_total 0$/m);
});

test('healthz and readyz answer', async () => {
  assert.equal((await fetch(`${t.gw.url}/healthz`)).status, 200);
  assert.equal((await fetch(`${t.gw.url}/readyz`)).status, 200);
});

test('shutdown drains an open stream and flushes its event', async () => {
  t.fake.chunkDelayMs = 60;
  const stream = await client('standard').chat.completions.create({ ...ask, stream: true });
  const iter = stream[Symbol.asyncIterator]();
  await iter.next();

  const closed = t.gw.close();
  let text = '';
  for (let r = await iter.next(); !r.done; r = await iter.next())
    text += r.value.choices[0]?.delta?.content ?? '';
  await closed;
  assert.ok(ANSWER.endsWith(text) && text.length > 0, 'the rest of the stream arrived');

  const last = t.store.events.list({ account: 'acct_standard' }).at(-1)!;
  assert.equal(last.status, 200);
  assert.equal(JSON.parse(last.params).stream, true);
});

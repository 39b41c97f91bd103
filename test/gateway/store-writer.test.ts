import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import type { MoatEvent } from '../../src/core/event.js';
import { EventQueue } from '../../src/gateway/event-queue.js';
import { GatewayMetrics } from '../../src/gateway/metrics.js';
import { Spill } from '../../src/gateway/spill.js';
import { WorkerStoreSink } from '../../src/gateway/store-writer.js';
import { openStore } from '../../src/store/sqlite.js';

const config = parseConfig({
  events: { queue_size: 1000, batch_size: 50, flush_interval_ms: 5, on_full: 'spill' },
  tiers: { standard: {}, keep: { retain_text: true, retain_text_hours: 2 } },
});

function event(i: number, tier = 'standard'): MoatEvent {
  return {
    v: 1,
    id: `evt_${String(i).padStart(5, '0')}`,
    ts: new Date(1_700_000_000_000 + i).toISOString(),
    account: `acct_${i % 3}`,
    tier,
    client: { ip: '127.0.0.1' },
    route: 'chat.completions',
    model: 'm',
    params: { temperature: 0 },
    input: { messages: [{ role: 'user', content: `prompt ${i}` }] },
    output: { text: `answer ${i}`, finish_reason: 'stop' },
    usage: { input_tokens: 3, output_tokens: 4 },
    status: 200,
  };
}

/** A store file, a queue with the worker writer and a spill, all under one temporary folder. */
function setup(t: TestContext, maxInFlight = 1000) {
  const dir = mkdtempSync(join(tmpdir(), 'moat-writer-'));
  const file = join(dir, 'moat.db');
  const store = openStore(file);
  const metrics = new GatewayMetrics();
  const spillDir = join(dir, 'spill');
  const queue = new EventQueue(config.events, metrics, new Spill(spillDir, metrics));
  const sink = new WorkerStoreSink(file, config.tiers, metrics, maxInFlight);
  queue.addSink(sink);
  t.after(async () => {
    await queue.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, file, store, metrics, spillDir, queue, sink };
}

test('the worker writer stores every event, with text only for tiers that keep it', async (t) => {
  const { store, metrics, queue } = setup(t);

  for (let i = 0; i < 120; i++) queue.push(event(i, i % 2 ? 'keep' : 'standard'));
  await queue.flush();

  const rows = store.events.list();
  assert.equal(rows.length, 120);
  assert.equal(metrics.eventsWritten.get(), 120);
  const kept = rows.find((r) => r.id === 'evt_00001')!;
  assert.equal(JSON.parse(kept.output!).text, 'answer 1');
  assert.match(JSON.parse(kept.input!).messages[0].content, /prompt 1/);
  assert.ok(kept.text_expires_at, 'retained text has an expiry');
  const stripped = rows.find((r) => r.id === 'evt_00000')!;
  assert.equal(stripped.input, null);
  assert.deepEqual(JSON.parse(stripped.output!), { finish_reason: 'stop' });
  assert.equal(stripped.text_expires_at, null);
  assert.equal(stripped.account, 'acct_0');
  assert.equal(stripped.input_tokens, 3);
});

test('closing the queue waits until the worker has stored everything, then stops it', async (t) => {
  const { store, metrics, queue, sink } = setup(t);

  for (let i = 0; i < 300; i++) queue.push(event(i));
  assert.ok(queue.depth + sink.pending > 0, 'events are still on their way');
  await queue.close();

  assert.equal(store.events.count(), 300);
  assert.equal(sink.pending, 0);
  assert.throws(() => sink.write([event(999)]), /store writer stopped/);
  assert.equal(metrics.eventsDropped.get(), 0);
});

test('a batch the worker cannot store is spilled, then replayed once the store works', async (t) => {
  const { store, metrics, queue, spillDir } = setup(t);
  store.db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON events
    BEGIN SELECT RAISE(ABORT, 'disk full'); END`);

  for (let i = 0; i < 80; i++) queue.push(event(i));
  await queue.flush();
  assert.equal(store.events.count(), 0);
  assert.equal(metrics.eventsSpilled.get() >= 80, true);
  assert.equal(metrics.eventsDropped.get(), 0);
  assert.equal(readdirSync(spillDir).length, 1, 'the failed events wait in a spill file');

  store.db.exec('DROP TRIGGER refuse');
  await queue.flush();
  assert.equal(store.events.count(), 80);
  assert.equal(metrics.eventsDropped.get(), 0);
});

test('a writer that cannot open its store hands every batch to the spill, kept at close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-writer-'));
  const metrics = new GatewayMetrics();
  const queue = new EventQueue(config.events, metrics, new Spill(join(dir, 'spill'), metrics));
  mkdirSync(join(dir, 'not-a-file.db'));
  queue.addSink(new WorkerStoreSink(join(dir, 'not-a-file.db'), config.tiers, metrics, 1000));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  for (let i = 0; i < 10; i++) queue.push(event(i));
  await queue.close();
  queue.push(event(10));

  assert.equal(metrics.eventsWritten.get(), 0);
  assert.equal(metrics.eventsDropped.get(), 0);
  assert.ok(metrics.eventsSpilled.get() >= 11);
  const spill = new Spill(join(dir, 'spill'), metrics);
  const onDisk = spill.takeReplay(100).map((s) => s.event.id);
  assert.equal(new Set(onDisk).size, 11, 'all eleven, one pushed after close, wait on disk');
});

test('a writer that could not open its store starts again and gets the spilled events', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-writer-'));
  const file = join(dir, 'moat.db');
  const metrics = new GatewayMetrics();
  const queue = new EventQueue(config.events, metrics, new Spill(join(dir, 'spill'), metrics));
  mkdirSync(file); // not a file: the first thread cannot open it
  const sink = new WorkerStoreSink(file, config.tiers, metrics, 1000, { firstMs: 30, maxMs: 60 });
  queue.addSink(sink);
  t.after(async () => {
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (let i = 0; i < 25; i++) queue.push(event(i));
  await queue.flush();
  assert.equal(metrics.eventsWritten.get(), 0);
  assert.ok(metrics.eventsSpilled.get() >= 25);

  // The path becomes a usable store; a later thread opens it.
  rmSync(file, { recursive: true });
  const store = openStore(file);
  t.after(() => store.close());
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (sink.restarts === 0 || !sink.alive)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    queue.push(event(100 + sink.restarts)); // keeps probing the writer
    await queue.flush();
    if (store.events.count() > 0) break;
  }
  await queue.flush();
  assert.ok(sink.restarts >= 1, 'the thread was started again');
  const ids = new Set(store.events.list({ limit: 1000 }).map((r) => r.id));
  for (let i = 0; i < 25; i++) assert.ok(ids.has(event(i).id), `${event(i).id} stored`);
  assert.equal(metrics.eventsDropped.get(), 0);
});

test('a writer at its bound refuses more; the queue stores everything once there is room', async (t) => {
  const { store, metrics, queue, sink } = setup(t, 60);

  sink.write([event(0), event(1)]);
  assert.throws(() => sink.write(Array.from({ length: 59 }, (_, i) => event(i + 10))), /backlog/);
  for (let i = 100; i < 400; i++) queue.push(event(i));
  await queue.flush();

  assert.equal(store.events.count(), 302, 'the refused batch was not written by the sink');
  assert.equal(metrics.eventsDropped.get(), 0);
});

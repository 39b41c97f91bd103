import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import type { MoatEvent } from '../../src/core/event.js';
import { EventQueue, type EventSink } from '../../src/gateway/event-queue.js';
import { retained } from '../../src/gateway/event-sinks.js';
import { GatewayMetrics } from '../../src/gateway/metrics.js';
import { Spill } from '../../src/gateway/spill.js';

function event(i: number, tier = 'standard'): MoatEvent {
  return {
    v: 1,
    id: `evt_${i}`,
    ts: new Date(1_700_000_000_000 + i).toISOString(),
    account: `acct_${i % 3}`,
    tier,
    client: { ip: '127.0.0.1' },
    route: 'chat.completions',
    model: 'm',
    params: {},
    input: { messages: [{ role: 'user', content: `prompt ${i}` }] },
    output: { text: `answer ${i}`, finish_reason: 'stop' },
    usage: { input_tokens: 1, output_tokens: 2 },
    status: 200,
  };
}

const events = (onFull: 'spill' | 'drop') =>
  parseConfig({
    events: { queue_size: 10, batch_size: 1000, flush_interval_ms: 60_000, on_full: onFull },
  }).events;

class Collect implements EventSink {
  got: MoatEvent[] = [];
  failNext = 0;
  constructor(readonly name: string) {}
  write(batch: MoatEvent[]) {
    if (this.failNext-- > 0) throw new Error('disk full');
    this.got.push(...batch);
  }
}

test('drop mode: events beyond the queue size are counted, never silently lost', async () => {
  const metrics = new GatewayMetrics();
  const q = new EventQueue(events('drop'), metrics);
  const sink = new Collect('store');
  q.addSink(sink);
  for (let i = 0; i < 15; i++) q.push(event(i));
  await q.flush();
  assert.equal(sink.got.length, 10);
  assert.equal(metrics.eventsDropped.get(), 5);
  assert.match(metrics.render(), /^moat_events_dropped_total 5$/m);
});

test('spill mode: overflow goes to a file under MOAT_HOME and is replayed in full', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-spill-'));
  try {
    const metrics = new GatewayMetrics();
    const q = new EventQueue(events('spill'), metrics, new Spill(dir, metrics));
    const sink = new Collect('store');
    const heard: string[] = [];
    q.addSink(sink);
    q.onEvent((e) => heard.push(e.id));
    for (let i = 0; i < 15; i++) q.push(event(i));
    assert.equal(metrics.eventsSpilled.get(), 5);

    await q.flush();
    assert.deepEqual(
      sink.got.map((e) => e.id).sort(),
      [...Array(15).keys()].map((i) => `evt_${i}`).sort(),
    );
    assert.equal(heard.length, 15, 'listeners hear every event exactly once');
    assert.equal(metrics.eventsDropped.get(), 0);
    assert.deepEqual(readdirSync(dir), [], 'the spill file is consumed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing sink spills its batch and gets it back; other consumers see it once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-spill-'));
  try {
    const metrics = new GatewayMetrics();
    const q = new EventQueue(events('spill'), metrics, new Spill(dir, metrics));
    const store = new Collect('store');
    const jsonl = new Collect('jsonl');
    store.failNext = 1;
    const heard: string[] = [];
    q.addSink(store);
    q.addSink(jsonl);
    q.onEvent((e) => heard.push(e.id));
    for (let i = 0; i < 4; i++) q.push(event(i));
    await q.flush();
    assert.equal(store.got.length, 4);
    assert.equal(jsonl.got.length, 4);
    assert.equal(heard.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spilled events left by a previous process are replayed at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-spill-'));
  try {
    const metrics = new GatewayMetrics();
    const first = new Spill(dir, metrics);
    first.add([event(1), event(2)], ['store'], true);
    first.writePending();
    assert.equal(readdirSync(dir).length, 1);
    assert.match(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'), /evt_1/);

    const q = new EventQueue(events('spill'), metrics, new Spill(dir, metrics));
    const sink = new Collect('store');
    q.addSink(sink);
    await q.flush();
    assert.deepEqual(
      sink.got.map((e) => e.id),
      ['evt_1', 'evt_2'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention strips prompt and response text unless the tier opts in', () => {
  const tiers = parseConfig({ tiers: { standard: {}, keep: { retain_text: true } } }).tiers;
  const stripped = retained(event(1), tiers);
  assert.equal(stripped.input, undefined);
  assert.deepEqual(stripped.output, { finish_reason: 'stop' });
  assert.equal(stripped.usage.output_tokens, 2);
  const kept = retained(event(1, 'keep'), tiers);
  assert.equal(kept.output?.text, 'answer 1');
});

test('flush waits for a batch that a timer tick handed to a sink just before', async () => {
  // A sink that stores asynchronously, like the store writer thread.
  class Slow implements EventSink {
    stored: string[] = [];
    private pending: Promise<void>[] = [];
    constructor(readonly name: string) {}
    write(batch: MoatEvent[]) {
      this.pending.push(
        new Promise((resolve) =>
          setTimeout(() => {
            this.stored.push(...batch.map((e) => e.id));
            resolve();
          }, 30),
        ),
      );
    }
    async flush() {
      await Promise.all(this.pending);
    }
  }
  const config = parseConfig({ events: { batch_size: 1000, flush_interval_ms: 1 } }).events;
  const q = new EventQueue(config, new GatewayMetrics());
  const sink = new Slow('store');
  q.addSink(sink);
  q.push(event(1));
  await new Promise((resolve) => setTimeout(resolve, 10)); // the tick has delivered it
  assert.equal(q.depth, 0);
  assert.deepEqual(sink.stored, [], 'still being written');
  await q.flush();
  assert.deepEqual(sink.stored, ['evt_1']);
});

test('replays into a failing store back off, and start over once one is stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-spill-'));
  const metrics = new GatewayMetrics();
  const config = parseConfig({ events: { flush_interval_ms: 5, on_full: 'spill' } }).events;
  const q = new EventQueue(config, metrics, new Spill(dir, metrics));
  const sink = new Collect('store');
  q.addSink(sink);
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    sink.failNext = 2;
    q.push(event(1));
    await wait(50); // delivered, failed, spilled
    assert.ok(q.replayDelayMs > 500 && q.replayDelayMs <= 1000, `${q.replayDelayMs} ms`);
    await wait(1100); // the replay fails again: twice as long
    assert.equal(sink.got.length, 0);
    assert.ok(q.replayDelayMs > 1000 && q.replayDelayMs <= 2000, `${q.replayDelayMs} ms`);
    await wait(2300); // this replay is stored
    assert.deepEqual(
      sink.got.map((e) => e.id),
      ['evt_1'],
    );

    sink.failNext = 1;
    q.push(event(2));
    await wait(50);
    assert.ok(q.replayDelayMs > 500 && q.replayDelayMs <= 1000, `back to 1 s: ${q.replayDelayMs}`);
  } finally {
    await q.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

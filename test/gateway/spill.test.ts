import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { MoatEvent } from '../../src/core/event.js';
import { GatewayMetrics } from '../../src/gateway/metrics.js';
import { Spill } from '../../src/gateway/spill.js';

function event(i: number): MoatEvent {
  return {
    v: 1,
    id: `evt_${String(i).padStart(6, '0')}`,
    ts: new Date(1_700_000_000_000 + i).toISOString(),
    account: `acct_${i % 5}`,
    tier: 'standard',
    client: { ip: '203.0.113.9' },
    route: 'chat.completions',
    model: 'm',
    params: {},
    input: { messages: [{ role: 'user', content: `prompt number ${i} `.repeat(8) }] },
    usage: { input_tokens: 40, output_tokens: 2 },
    status: 200,
  };
}

function dir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'moat-spill-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Spills `n` events through one Spill, as a gateway whose store is down would. */
function spillEvents(d: string, n: number): void {
  const spill = new Spill(d, new GatewayMetrics());
  for (let i = 0; i < n; i += 500) {
    spill.add(
      Array.from({ length: Math.min(500, n - i) }, (_, j) => event(i + j)),
      ['store'],
      true,
    );
    spill.writePending();
  }
}

function takeAll(spill: Spill, batch = 1000): string[] {
  const ids: string[] = [];
  while (spill.hasReplay()) ids.push(...spill.takeReplay(batch).map((s) => s.event.id));
  return ids;
}

test('a large spill is replayed a chunk at a time, in order and complete', (t) => {
  const d = dir(t);
  spillEvents(d, 20_000); // about 7 MB
  const spill = new Spill(d, new GatewayMetrics());
  assert.ok(spill.hasReplay());
  const first = spill.takeReplay(100);
  assert.equal(first[0].event.id, 'evt_000000');
  assert.ok(spill.buffered < 10_000, `${spill.buffered} events held in memory`);

  const ids = [...first.map((s) => s.event.id), ...takeAll(spill)];
  assert.equal(ids.length, 20_000);
  assert.deepEqual(ids, [...ids].sort(), 'in the order they were spilled');
  assert.equal(new Set(ids).size, 20_000);
});

test('a crash during replay loses nothing: the next start replays the claimed file', (t) => {
  const d = dir(t);
  spillEvents(d, 3_000);
  const crashed = new Spill(d, new GatewayMetrics());
  takeAll(crashed); // delivered, but the process dies before the sinks confirm
  assert.equal(crashed.takeFinished().length, 1);
  assert.equal(readdirSync(d).length, 1, 'the claimed file is still on disk');
  assert.match(readdirSync(d)[0], /\.replaying$/);

  const next = new Spill(d, new GatewayMetrics());
  assert.equal(new Set(takeAll(next)).size, 3_000);
  next.settle(next.takeFinished());
  assert.deepEqual(readdirSync(d), [], 'settled files are removed');
  assert.equal(new Spill(d, new GatewayMetrics()).hasReplay(), false);
});

test('after a crash the listeners see only the replayed events they had not seen', (t) => {
  const d = dir(t);
  spillEvents(d, 3_000);
  const crashed = new Spill(d, new GatewayMetrics());
  const seen = crashed.takeReplay(1_000).map((s) => s.event.id);
  crashed.heard(); // the queue showed that batch to the listeners, then the process died

  const next = new Spill(d, new GatewayMetrics());
  const all: { id: string; listeners: boolean }[] = [];
  while (next.hasReplay()) {
    for (const s of next.takeReplay(700)) all.push({ id: s.event.id, listeners: s.listeners });
    next.heard();
  }
  assert.equal(all.length, 3_000, 'the stores still get every event');
  const again = all.filter((e) => e.listeners).map((e) => e.id);
  assert.equal(again.length, 2_000);
  assert.deepEqual(
    all.filter((e) => !e.listeners).map((e) => e.id),
    seen,
    'exactly the events shown before the crash are kept from the listeners',
  );
  next.settle(next.takeFinished());
  assert.deepEqual(readdirSync(d), [], 'the file and its progress are removed');
});

test('release keeps what the listeners saw before a crash from them at the next start', (t) => {
  const d = dir(t);
  spillEvents(d, 12_000);
  const crashed = new Spill(d, new GatewayMetrics());
  crashed.takeReplay(5_000);
  crashed.heard();

  // The next start reads only part of the file, then shuts down; the start after it replays.
  const second = new Spill(d, new GatewayMetrics());
  assert.equal(second.takeReplay(2_000).filter((s) => s.listeners).length, 0);
  second.heard();
  second.release();
  const third = new Spill(d, new GatewayMetrics());
  let shown = 0;
  let total = 0;
  while (third.hasReplay()) {
    for (const s of third.takeReplay(1_000)) {
      total++;
      if (s.listeners) shown++;
    }
  }
  assert.equal(total, 10_000);
  assert.equal(shown, 7_000, 'only the 7,000 never shown reach the listeners');
});

test('what comes back during replay is written before the replayed file goes', (t) => {
  const d = dir(t);
  spillEvents(d, 10);
  const spill = new Spill(d, new GatewayMetrics());
  const taken = spill.takeReplay(100);
  assert.equal(taken.length, 10);
  // The sink failed again on two of them: they go back to the spill.
  spill.add(
    taken.slice(0, 2).map((s) => s.event),
    ['store'],
    false,
  );
  spill.settle(spill.takeFinished());

  const next = new Spill(d, new GatewayMetrics());
  assert.deepEqual(takeAll(next), ['evt_000000', 'evt_000001']);
});

test('release at shutdown keeps the unread rest for the next start, exactly once', (t) => {
  const d = dir(t);
  spillEvents(d, 12_000);
  const spill = new Spill(d, new GatewayMetrics());
  const delivered = spill.takeReplay(4_000).map((s) => s.event.id);
  spill.release();

  const rest = takeAll(new Spill(d, new GatewayMetrics()));
  assert.equal(rest.length, 8_000);
  assert.equal(new Set([...delivered, ...rest]).size, 12_000);
});

test('an unreadable line is skipped and the others are replayed', (t) => {
  const d = dir(t);
  spillEvents(d, 3);
  const [name] = readdirSync(d);
  appendFileSync(join(d, name), '{"sinks": ["store"], "event": {broken\n');
  appendFileSync(
    join(d, name),
    `${JSON.stringify({ sinks: [], listeners: true, event: event(9) })}\n`,
  );
  const ids = takeAll(new Spill(d, new GatewayMetrics()));
  assert.deepEqual(ids, ['evt_000000', 'evt_000001', 'evt_000002', 'evt_000009']);
});

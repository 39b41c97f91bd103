import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventRow } from '../../src/store/events.js';
import { openStore } from '../../src/store/sqlite.js';
import { fullGroupBy, mixedEvents } from './totals-fixture.js';

function withDir(fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'moat-totals-'));
  try {
    fn(join(dir, 'moat.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function totalsTable(db: ReturnType<typeof openStore>['db']): Map<string, unknown> {
  const rows = db
    .prepare(
      `SELECT account, events, refused, input_tokens AS inputTokens,
         output_tokens AS outputTokens, first_ts AS firstTs, last_ts AS lastTs, tier
       FROM account_totals`,
    )
    .all() as { account: string }[];
  return new Map(rows.map(({ account, ...t }) => [account, t]));
}

test('the totals count each inserted event once, a replayed id adds nothing', () => {
  const store = openStore(':memory:');
  const events = mixedEvents(7, 300, 12);
  const rows = events.map((e) => eventRow(e, null));
  store.events.writeRows(rows.slice(0, 200));
  // A spill replay offers events already stored, alone and beside new ones.
  store.events.writeRows(rows.slice(150, 200));
  store.events.writeRows([...rows.slice(180, 300), rows[0]]);

  assert.equal(store.events.count(), 300);
  const totals = totalsTable(store.db);
  const sum = [...totals.values()].reduce(
    (n: number, t) => n + (t as { events: number }).events,
    0,
  );
  assert.equal(sum, 300);
  assert.deepEqual(totals, fullGroupBy(store.db));
  store.close();
});

test('a late event older than the latest keeps the latest event tier', () => {
  const store = openStore(':memory:');
  const [a, b] = mixedEvents(3, 2, 1);
  const newer = { ...a, ts: '2026-11-02T00:00:00.000Z', tier: 'pro', status: 200 };
  const older = { ...b, ts: '2026-11-01T00:00:00.000Z', tier: 'free', status: 429 };
  store.events.write([{ event: newer, expiresAt: null }]);
  store.events.write([{ event: older, expiresAt: null }]);

  const t = totalsTable(store.db).get(a.account) as Record<string, unknown>;
  assert.equal(t.tier, 'pro');
  assert.equal(t.events, 2);
  assert.equal(t.refused, 1);
  assert.equal(t.firstTs, older.ts);
  assert.equal(t.lastTs, newer.ts);
  store.close();
});

test('a store written before the totals existed gets them from its events on open', () => {
  withDir((file) => {
    const events = mixedEvents(11, 500, 20);
    const old = openStore(file);
    old.events.write(events.slice(0, 400).map((event) => ({ event, expiresAt: null })));
    old.db.exec('DROP TABLE account_totals');
    old.close();

    const upgraded = openStore(file);
    assert.deepEqual(totalsTable(upgraded.db), fullGroupBy(upgraded.db));
    // Writes after the upgrade add to the built totals, with no event counted twice.
    upgraded.events.write(events.slice(350).map((event) => ({ event, expiresAt: null })));
    assert.equal(upgraded.events.count(), 500);
    assert.deepEqual(totalsTable(upgraded.db), fullGroupBy(upgraded.db));
    upgraded.close();

    // Reopening a store whose totals are kept changes nothing.
    const again = openStore(file);
    assert.equal(again.totals.backfill(), 0);
    assert.deepEqual(totalsTable(again.db), fullGroupBy(again.db));
    again.close();
  });
});

test('empty totals beside stored events are rebuilt on open; an empty store stays empty', () => {
  withDir((file) => {
    const first = openStore(file);
    assert.equal(first.totals.backfill(), 0, 'no events, nothing to build');
    first.events.write(mixedEvents(5, 120, 6).map((event) => ({ event, expiresAt: null })));
    const expected = fullGroupBy(first.db);
    first.db.exec('DELETE FROM account_totals');
    first.close();

    const reopened = openStore(file);
    assert.deepEqual(totalsTable(reopened.db), expected);
    assert.equal(reopened.totals.backfill(), 0, 'built once');
    reopened.close();
  });
});

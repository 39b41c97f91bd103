import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleStats } from '../../src/admin/console-stats.js';
import { eventRow } from '../../src/store/events.js';
import { openStore } from '../../src/store/sqlite.js';
import { fullGroupBy, mixedEvents } from '../store/totals-fixture.js';

test('the console traffic from kept totals equals the full GROUP BY over events', () => {
  const store = openStore(':memory:');
  const events = mixedEvents(42, 800, 30);
  const rows = events.map((e) => eventRow(e, null));

  // Batches as the writer thread gets them, then a replay of a stored batch (a spill read
  // twice) and a batch through the sink's path that repeats one event.
  for (let i = 0; i < 600; i += 100) store.events.writeRows(rows.slice(i, i + 100));
  store.events.writeRows(rows.slice(200, 300));
  store.events.write(
    [...events.slice(600), events[600]].map((event) => ({ event, expiresAt: null })),
  );

  const expected = fullGroupBy(store.db);
  const stats = new ConsoleStats(store.db);
  const traffic = stats.traffic();
  assert.equal(store.events.count(), 800);
  assert.ok(expected.size > 10, 'several accounts');
  assert.ok(
    [...expected.values()].some((t) => (t as { refused: number }).refused > 0),
    'failed calls among them',
  );
  assert.deepEqual(traffic, expected);

  const busiest = [...expected.entries()].sort(
    (a, b) => (b[1] as { events: number }).events - (a[1] as { events: number }).events,
  )[0];
  assert.deepEqual(stats.traffic(busiest[0]), new Map([busiest]));
  assert.equal(stats.traffic('acct_none').size, 0);
  store.close();
});

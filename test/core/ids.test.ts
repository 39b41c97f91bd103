import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/core/ids.js';

test('ids made in the same millisecond share the time part and differ in the random part', () => {
  const now = Date.UTC(2026, 11, 3, 19, 0, 0);
  const ids = Array.from({ length: 500 }, () => newId('evt', now));
  for (const id of ids) assert.match(id, /^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(new Set(ids.map((id) => id.slice(4, 14))).size, 1);
  assert.equal(new Set(ids).size, ids.length);
});

test('ids sort by their time, across milliseconds and back again', () => {
  const base = Date.UTC(2026, 11, 3, 19, 0, 0);
  const times = [base + 5, base, base + 1, base + 32, base + 1024, base];
  const ids = times.map((t) => newId('key', t));
  const byId = [...ids].sort();
  const byTime = times
    .map((t, i) => [t, ids[i]] as const)
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  assert.deepEqual(
    byId,
    byTime.map(([, id]) => id),
  );
  // The time part spells the millisecond in base 32: ten characters, most significant first.
  assert.equal(newId('evt', 0).slice(4, 14), '0000000000');
  assert.equal(newId('evt', 33).slice(4, 14), '0000000011');
});

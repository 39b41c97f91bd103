import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MoatEvent } from '../../src/core/event.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { event, HOUR, merge, T0 } from './fixtures.js';

/** `perHour` events an hour for `hours` hours from T0 (within the first day). */
function steady(account: string, perHour: number, hours: number): MoatEvent[] {
  const gap = HOUR / perHour;
  return Array.from({ length: perHour * hours }, (_, i) =>
    event({ account, ms: T0 + Math.floor(i * gap) }),
  );
}

test('before a day closes, the tier norm is learned from active hours of many accounts', () => {
  const engine = new DetectionEngine({ config: { link: false } });
  const accounts = Array.from({ length: 12 }, (_, k) => steady(`a${k}`, 10, 5));
  for (const e of merge(...accounts)) engine.ingest(e);
  assert.equal(engine.signalContext.tierDailyNorm('standard'), 240);
});

test('one busy account does not set its own tier norm', () => {
  const engine = new DetectionEngine({ config: { link: false } });
  for (const e of steady('busy', 400, 40)) engine.ingest(e);
  assert.equal(engine.signalContext.tierDailyNorm('standard'), 2000);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DETECT_CONFIG, parseDetectConfig } from '../../src/detect/config.js';

test('an absent detect section gives the defaults', () => {
  assert.deepEqual(parseDetectConfig(undefined), DEFAULT_DETECT_CONFIG);
});

test('detect settings are read and checked, naming the key at fault', () => {
  const c = parseDetectConfig({
    target_fpr: 0.01,
    thresholds: { watch: 0.5, review: 0.8, block: 0.9 },
    tier_daily_events: { free: 200 },
    model_releases: { 'frontier-next': '2026-12-01T00:00:00Z' },
  });
  assert.equal(c.targetFpr, 0.01);
  assert.deepEqual(c.thresholds, { watch: 0.5, review: 0.8, block: 0.9 });
  assert.equal(c.tierDailyEvents.free, 200);
  assert.equal(c.tierDailyEvents.default, DEFAULT_DETECT_CONFIG.tierDailyEvents.default);

  assert.throws(() => parseDetectConfig({ treshold: 1 }), /detect\.treshold: unknown key/);
  assert.throws(() => parseDetectConfig({ target_fpr: 2 }), /detect\.target_fpr: must be a number/);
  assert.throws(
    () => parseDetectConfig({ thresholds: { watch: 0.9, review: 0.5 } }),
    /detect\.thresholds: must satisfy watch <= review <= block/,
  );
  assert.throws(
    () => parseDetectConfig({ model_releases: { m: 'soon' } }),
    /detect\.model_releases\.m: must be an ISO 8601 time/,
  );
});

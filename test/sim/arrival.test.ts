import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import type { ArrivalWindow } from '../../src/data/traces.js';
import { BatchArrivals, SteadyArrivals, TraceArrivals } from '../../src/sim/arrival.js';
import { resolveScenario } from '../../src/sim/presets.js';
import { Rng } from '../../src/sim/rng.js';
import { validateScenario } from '../../src/sim/scenario.js';

function count(next: (t: number) => number | null, until: number): number[] {
  const out: number[] = [];
  for (let t = next(0); t !== null && t < until; t = next(t)) out.push(t);
  return out;
}

test('trace arrivals keep the volume asked for and the trace rhythm', () => {
  // Busy in the first 12 hours of each day, idle in the rest.
  const windows: ArrivalWindow[] = Array.from({ length: 14 * 144 }, (_, i) => {
    const busy = i % 144 < 72;
    return {
      start: i * 600,
      rate: busy ? 2 : 0,
      cv: 1,
      dist: busy ? 'Gamma' : '',
      shape: 1,
      scale: 0.5,
    };
  });
  const arrivals = new TraceArrivals(windows, 1000, new Rng(1), 0, 4 * 86_400);
  const times = count((t) => arrivals.next(t), 4 * 86_400);
  assert.ok(times.length > 3400 && times.length < 4600, `${times.length} over 4 days`);
  assert.ok(
    times.every((t) => t % 86_400 < 43_200),
    'nothing in idle windows',
  );
});

test('steady arrivals with no jitter are nearly clockwork; full jitter is not', () => {
  const gaps = (jitter: number) => {
    const a = new SteadyArrivals(8640, new Rng(2), jitter);
    const t = count((x) => a.next(x), 86_400);
    return t.slice(1).map((x, i) => x - t[i]);
  };
  const cv = (xs: number[]) => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length) / m;
  };
  assert.ok(cv(gaps(0)) < 0.1);
  assert.ok(cv(gaps(1)) > 0.7);
});

test('batch arrivals send each job then stop', () => {
  const a = new BatchArrivals([100, 10_000], 50, 10, new Rng(3));
  const times = count((t) => a.next(t), 1e9);
  assert.equal(times.length, 100);
  assert.ok(times.slice(0, 50).every((t) => t < 10_000));
  assert.ok(times.slice(50).every((t) => t >= 10_000));
});

test('a scenario error names the field', () => {
  assert.throws(
    () => validateScenario({ name: 'x', days: 1, tenants: [{ profile: 'nope' }] }),
    /tenants\[0\]\.profile/,
  );
  assert.throws(
    () =>
      validateScenario({
        name: 'x',
        days: 1,
        campaigns: [{ name: 'p', kind: 'pivot', target: ['gsm8k'], per_day: 1 }],
      }),
    /needs a release/,
  );
  assert.throws(() => resolveScenario('no-such-preset'), /neither a preset/);
});

test('a YAML scenario file loads with defaults filled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-scn-'));
  const path = join(dir, 's.yaml');
  writeFileSync(
    path,
    'name: mine\ndays: 0.5\ntenants:\n  - { profile: chat-app, accounts: 3, per_day: 20 }\n' +
      'campaigns:\n  - { name: h, kind: hydra, target: gsm8k, accounts: 5, per_day: 100 }\n',
  );
  const s = resolveScenario(path);
  assert.equal(s.tenants[0].spread, 1);
  assert.deepEqual(s.campaigns[0].target, ['gsm8k']);
  assert.equal(s.campaigns[0].replacements, 10);
});

test('the example scenario in the docs is valid', () => {
  const s = resolveScenario(join(PACKAGE_ROOT, 'docs', 'scenario-example.yaml'));
  assert.equal(s.name, 'example');
  assert.equal(s.campaigns.length, 3);
});

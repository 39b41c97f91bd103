import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalLimiter } from '../../src/fleet/local-limiter.js';
import { needServices, REDIS_URL, uniqueName } from './services.js';

const run = promisify(execFile);
const SPEC = { requestsPerMinute: 60, tokensPerMinute: 6000, maxConcurrent: 2 };

test('local buckets admit the burst, then refill at the per-minute rate', () => {
  const limiter = new LocalLimiter({ burstS: 10, share: 1 });
  let admitted = 0;
  for (let i = 0; i < 20; i++) {
    const a = limiter.admit('a', SPEC, 1, 0);
    if (a.ok) {
      admitted++;
      a.settle(1);
    }
  }
  assert.equal(admitted, 10);

  const refused = limiter.admit('a', SPEC, 1, 0);
  assert.deepEqual(refused, { ok: false, retryAfterS: 1, limit: 'requests' });
  assert.equal(limiter.admit('a', SPEC, 1, 1000).ok, true);
});

test('local buckets hold tokens, settle the real use, and cap concurrency', () => {
  const limiter = new LocalLimiter({ burstS: 60, share: 1 });
  const first = limiter.admit('a', SPEC, 4000, 0);
  assert.equal(first.ok, true);
  const second = limiter.admit('a', SPEC, 1000, 0);
  assert.equal(second.ok, true);
  const third = limiter.admit('a', SPEC, 10, 0);
  assert.deepEqual(third, { ok: false, retryAfterS: 1, limit: 'concurrency' });

  if (first.ok) first.settle(100);
  const fourth = limiter.admit('a', SPEC, 2000, 0);
  assert.equal(fourth.ok, true, 'the unused 3900 estimated tokens came back');
  const fifth = limiter.admit('b', { ...SPEC, tokensPerMinute: 60 }, 100, 0);
  assert.equal(fifth.ok, true, 'an estimate above the bucket is capped at its size');
});

test('three replica processes share one limit within 5% of the rate', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;

  const worker = fileURLToPath(new URL('./limit-worker.js', import.meta.url));
  const rpm = 6000;
  const startAt = Date.now() + 4000; // time for three processes to start on a busy machine
  const env = {
    ...process.env,
    REDIS_URL,
    PREFIX: uniqueName('moat-test-limit'),
    RPM: String(rpm),
    OFFER_PER_S: '150',
    START_AT: String(startAt),
    MEASURE_FROM: String(startAt + 2000),
    END_AT: String(startAt + 7000),
    BURST_S: '2',
  };
  const outs = await Promise.all(
    [0, 1, 2].map(() => run(process.execPath, [worker], { env, timeout: 20_000 })),
  );
  const results = outs.map((o) => JSON.parse(o.stdout) as Record<string, number>);

  const measured = results.reduce((s, r) => s + r.measured, 0);
  const expected = (rpm / 60) * 5;
  const fetches = results.reduce((s, r) => s + r.fetches, 0);
  const admitted = results.reduce((s, r) => s + r.admitted, 0);
  t.diagnostic(
    `admitted ${measured} in the 5 s window, expected ${expected} ` +
      `(${((measured / expected - 1) * 100).toFixed(1)}%); ${fetches} Redis calls for ` +
      `${admitted} admissions; per replica (Redis calls) ` +
      results.map((r) => `${r.measured}(${r.fetches})`).join(' / '),
  );
  const late = Math.max(...results.map((r) => r.lateMs));
  assert.ok(late < 1000, `a replica started ${late} ms late: the measurement would be void`);
  assert.ok(Math.abs(measured - expected) <= expected * 0.05, `${measured} vs ${expected}`);
  assert.ok(
    results.every((r) => r.measured > 0),
    'every replica admitted some',
  );
  assert.ok(fetches < admitted / 2, `${fetches} Redis calls for ${admitted} admissions`);
});

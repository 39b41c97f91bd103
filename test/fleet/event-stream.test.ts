import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { MoatEvent } from '../../src/core/event.js';
import { cursorKey, EventConsumer, EventPublisher } from '../../src/fleet/event-stream.js';
import { connectRedis, redisReady } from '../../src/fleet/redis.js';
import { needServices, PrivateRedis, REDIS_URL, uniqueName } from './services.js';

function event(account: string, n: number): MoatEvent {
  return {
    v: 1,
    id: `evt_${account}_${n}`,
    ts: new Date(Date.UTC(2026, 11, 3, 12, 0, n)).toISOString(),
    account,
    client: { ip: '198.51.100.7' },
    route: 'chat.completions',
    model: 'm',
    params: { temperature: 0 },
    input: { messages: [{ role: 'user', content: `question ${n}` }] },
    usage: { input_tokens: 3, output_tokens: 5 },
    status: 200,
  };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function publisher(prefix: string, fallback: MoatEvent[] = [], url = REDIS_URL) {
  const redis = connectRedis(url, 'test-events-pub');
  await redisReady(redis);
  const p = new EventPublisher(redis, {
    prefix,
    maxLen: 100_000,
    fallback: (e) => fallback.push(e),
  });
  return { p, redis };
}

function consumer(prefix: string, into: MoatEvent[]) {
  const redis = connectRedis(REDIS_URL, 'test-events-read', 5000);
  const c = new EventConsumer(
    redis,
    (events) => {
      into.push(...events);
    },
    {
      prefix,
      blockMs: 200,
    },
  );
  c.start();
  return c;
}

test('events of two publishers reach the consumer once each, in order per publisher', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const prefix = uniqueName('moat-test-stream');
  const a = await publisher(prefix);
  const b = await publisher(prefix);
  const seen: MoatEvent[] = [];
  let reader = consumer(prefix, seen);
  try {
    // Two replicas publish at once; 700 events from `a` also cross the 500-event batch size.
    for (let i = 0; i < 700; i++) {
      a.p.push(event('acct_a', i));
      if (i < 300) b.p.push(event('acct_b', i));
    }
    await Promise.all([a.p.flush(), b.p.flush()]);
    await until(() => seen.length >= 1000, 5000, 'first 1000 events');

    const ids = seen.map((e) => e.id);
    assert.equal(new Set(ids).size, 1000, 'no event twice');
    const order = (acct: string) => seen.filter((e) => e.account === acct).map((e) => e.id);
    assert.deepEqual(
      order('acct_a'),
      Array.from({ length: 700 }, (_, i) => `evt_acct_a_${i}`),
    );
    assert.deepEqual(
      order('acct_b'),
      Array.from({ length: 300 }, (_, i) => `evt_acct_b_${i}`),
    );
    assert.deepEqual(seen[0].input, event('acct_a', 0).input, 'the whole event, text included');
    assert.equal(a.p.published + b.p.published, 1000);

    // The consumer stops; what is published meanwhile is read after the restart, and nothing
    // read before the stop comes back.
    await reader.stop();
    for (let i = 700; i < 750; i++) a.p.push(event('acct_a', i));
    await a.p.flush();
    const after: MoatEvent[] = [];
    reader = consumer(prefix, after);
    await until(() => after.length >= 50, 5000, 'events after restart');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      after.map((e) => e.id),
      Array.from({ length: 50 }, (_, i) => `evt_acct_a_${700 + i}`),
    );
  } finally {
    await reader.stop();
    a.redis.disconnect();
    b.redis.disconnect();
    const r = new Redis(REDIS_URL);
    await r.del(`${prefix}:events`, cursorKey(prefix)).catch(() => 0);
    r.disconnect();
  }
});

test('a publisher whose Redis is gone hands its events to the local fallback', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const redis = await PrivateRedis.start();
  const local: MoatEvent[] = [];
  const a = await publisher('moat-test-fallback', local, redis.url);
  try {
    a.p.push(event('acct_a', 0));
    await a.p.flush();
    assert.equal(a.p.published, 1);
    assert.equal(a.p.shared, true);

    await redis.stop();
    await until(() => a.redis.status !== 'ready', 5000, 'connection lost');
    for (let i = 1; i <= 3; i++) a.p.push(event('acct_a', i));
    await a.p.flush();
    assert.equal(a.p.shared, false);
    assert.deepEqual(
      local.map((e) => e.id),
      ['evt_acct_a_1', 'evt_acct_a_2', 'evt_acct_a_3'],
    );

    await redis.start();
    await redisReady(a.redis, 5000);
    a.p.push(event('acct_a', 4));
    await a.p.flush();
    assert.equal(a.p.shared, true);
    assert.equal(a.p.published, 2, 'publishing resumes once Redis is back');
    assert.equal(local.length, 3);
  } finally {
    a.redis.disconnect();
    await redis.stop();
  }
});

test('with no detector reading the stream, a publishing replica detects its own events', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const { parseConfig } = await import('../../src/config/index.js');
  const { startDetection } = await import('../../src/app/detection.js');
  const { PolicyEngine } = await import('../../src/policy/engine.js');
  const { parsePolicyConfig } = await import('../../src/policy/config.js');
  const prefix = uniqueName('moat-test-watch');
  const fleet = (detector: boolean) =>
    parseConfig({
      fleet: { redis_url: REDIS_URL, key_prefix: prefix, detection: 'shared', detector },
    });
  const engine = () => new PolicyEngine(parsePolicyConfig({}));
  const cleanup = new Redis(REDIS_URL);
  t.after(async () => {
    await cleanup.del(`${prefix}:events`, `${prefix}:events:cursor`, `${prefix}:events:detector`);
    cleanup.disconnect();
  });

  // No replica with `detector: true`: the publisher watches for one, finds none, and detects.
  const alone = await startDetection(fleet(false), engine(), { worker: false });
  for (let i = 0; i < 5; i++) alone.push(event('a', i));
  assert.ok(alone.detector, 'a local detector runs while no detector reads the stream');
  await alone.close();

  // With a detector replica running, a publisher leaves detection to it.
  const reader = await startDetection(fleet(true), engine(), { worker: false });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (await cleanup.exists(`${prefix}:events:detector`)) === 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const publisherOnly = await startDetection(fleet(false), engine(), { worker: false });
  for (let i = 0; i < 5; i++) publisherOnly.push(event('b', i));
  assert.equal(publisherOnly.detector, null, 'no local detector while the detector replica reads');
  await publisherOnly.close();
  await reader.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { PolicyBus } from '../../src/fleet/bus.js';
import { RedisLeaseLimiter } from '../../src/fleet/lease-limiter.js';
import { connectRedis } from '../../src/fleet/redis.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { needServices, PrivateRedis, REDIS_URL, uniqueName } from './services.js';

const CONFIG = parsePolicyConfig({});
const SPEC = { requestsPerMinute: 600, tokensPerMinute: 1e6, maxConcurrent: 100 };

/** One replica's policy side: an engine and its bus on two connections of its own. */
async function replica(url: string, prefix: string) {
  const pub = connectRedis(url, 'test-pub');
  const sub = connectRedis(url, 'test-sub');
  const engine = new PolicyEngine(CONFIG);
  const bus = new PolicyBus(pub, sub, engine, prefix);
  await bus.start();
  return { engine, bus, pub, sub, close: () => [pub, sub].forEach((r) => r.disconnect()) };
}

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

const blocked = (e: PolicyEngine, a: string) => e.decide(a, 'standard').deny !== undefined;

test('a verdict reached on one replica applies on the others within one second', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const prefix = uniqueName('moat-test-bus');
  const replicas = await Promise.all([0, 1, 2].map(() => replica(REDIS_URL, prefix)));
  try {
    const [a, b, c] = replicas;
    a.engine.applyVerdict({ account: 'x', risk: 0.99, verdict: 'block', reasons: [], ts: 't' });
    const ms = await until(() => blocked(b.engine, 'x') && blocked(c.engine, 'x'), 1000);
    t.diagnostic(`verdict crossed to two replicas in ${ms} ms`);

    const ts = new Date().toISOString();
    c.engine.setOverride({ account: 'x', kind: 'unblock', reason: 'appeal', by: 'ana', ts });
    await until(() => !blocked(a.engine, 'x') && !blocked(b.engine, 'x'), 1000);

    const late = await replica(REDIS_URL, prefix);
    replicas.push(late);
    assert.equal(late.engine.overrideList()[0]?.kind, 'unblock', 'a late replica loads the state');
    assert.equal(late.engine.view('x')?.level, 'block');
    assert.equal(a.bus.received, 1, 'a replica does not apply its own inputs twice');
  } finally {
    for (const r of replicas) r.close();
    const cleanup = connectRedis(REDIS_URL, 'test-cleanup');
    await until(() => cleanup.status === 'ready', 2000).catch(() => 0);
    await cleanup.del(`${prefix}:policy:state`).catch(() => 0);
    cleanup.disconnect();
  }
});

test('Redis restarted mid-run: fail-open serves on local limits, then all rejoin', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const redis = await PrivateRedis.start();
  const conns: Redis[] = [];
  const replicas: Awaited<ReturnType<typeof replica>>[] = [];
  try {
    const prefix = uniqueName('moat-test-restart');
    const options = { prefix, leaseMs: 250, burstS: 60, replicas: 3 };
    conns.push(connectRedis(redis.url, 'open'), connectRedis(redis.url, 'closed'));
    const open = new RedisLeaseLimiter(conns[0], { ...options, onFailure: 'open' });
    const closed = new RedisLeaseLimiter(conns[1], { ...options, onFailure: 'closed' });
    replicas.push(await replica(redis.url, prefix), await replica(redis.url, prefix));
    await until(() => open.shared && closed.shared, 3000);
    assert.equal(open.admit('a', SPEC, 10).ok, true);
    assert.equal(closed.admit('a', SPEC, 10).ok, true);

    await redis.stop();
    await until(() => !open.shared && !closed.shared, 3000);
    const during = Array.from({ length: 5 }, () => open.admit('b', SPEC, 10).ok);
    assert.deepEqual(during, [true, true, true, true, true], 'fail-open keeps serving');
    const refused = closed.admit('b', SPEC, 10);
    assert.equal(refused.ok, false, 'fail-closed refuses');

    const [a, b] = replicas;
    a.engine.applyVerdict({ account: 'y', risk: 0.99, verdict: 'block', reasons: [], ts: 't' });
    assert.equal(a.bus.backlog, 1, 'the verdict waits in the outbox');
    assert.equal(blocked(b.engine, 'y'), false);

    await redis.start();
    const state = () => `open ${open.shared}, closed ${closed.shared}, y ${blocked(b.engine, 'y')}`;
    const ms = await until(
      () => open.shared && closed.shared && blocked(b.engine, 'y'),
      5000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${state()}`);
    });
    t.diagnostic(`limits shared again and the queued verdict delivered ${ms} ms after restart`);
    assert.equal(a.bus.backlog, 0);
    assert.equal(closed.admit('c', SPEC, 10).ok, true);
  } finally {
    for (const r of replicas) r.close();
    for (const c of conns) c.disconnect();
    await redis.stop();
  }
});

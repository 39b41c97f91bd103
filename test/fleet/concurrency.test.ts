import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Admission } from '../../src/core/limits.js';
import { RedisLeaseLimiter } from '../../src/fleet/lease-limiter.js';
import { connectRedis, redisReady } from '../../src/fleet/redis.js';
import { needServices, REDIS_URL, uniqueName } from './services.js';

const SPEC = { requestsPerMinute: 60_000, tokensPerMinute: 6_000_000, maxConcurrent: 6 };

/**
 * Two replicas' limiters on one Redis. Exchanges happen only when the test calls them (the
 * timer's period is far beyond the test), so every step is deterministic.
 */
async function replicas(t: TestContext) {
  const prefix = uniqueName('moat-test-conc');
  const options = {
    prefix,
    leaseMs: 250,
    burstS: 10,
    onFailure: 'open' as const,
    replicas: 2,
    concurrencySyncMs: 60_000,
  };
  const conns = [connectRedis(REDIS_URL, 'a'), connectRedis(REDIS_URL, 'b')];
  await Promise.all(conns.map((c) => redisReady(c)));
  const [a, b] = conns.map((c) => new RedisLeaseLimiter(c, options));
  t.after(async () => {
    await Promise.all([a.release(), b.release()]);
    await conns[0].del(`${prefix}:lim:acct:c`);
    await Promise.all(conns.map((c) => c.quit()));
  });
  return { a, b, redis: conns[0], key: `${prefix}:lim:acct:c` };
}

/** Admits until refused; returns the admissions. */
function fill(limiter: RedisLeaseLimiter): Admission[] {
  const held: Admission[] = [];
  for (let i = 0; i < 20; i++) {
    const adm = limiter.admit('acct', SPEC, 1);
    if (!adm.ok) {
      assert.equal(adm.limit, 'concurrency');
      break;
    }
    held.push(adm);
  }
  return held;
}

const settle = (held: Admission[]) => held.forEach((h) => h.ok && h.settle(1));

test('an account served by one replica gets its whole concurrency limit there', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const { a } = await replicas(t);

  const first = fill(a);
  assert.equal(first.length, 3, 'half the limit before the replicas have compared counts');
  await a.syncConcurrency();
  const more = fill(a);
  assert.equal(first.length + more.length, 6, 'no other replica has calls: the whole limit');
  settle([...first, ...more]);
});

test('an account spread over two replicas shares one concurrency limit', async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const { a, b } = await replicas(t);

  await a.syncConcurrency();
  const onA = fill(a);
  assert.equal(onA.length, 3);
  await a.syncConcurrency();
  const extra = fill(a); // up to the whole limit
  assert.equal(extra.length, 3);
  onA.push(extra[0]); // A keeps 4 calls running and ends the other two
  settle(extra.slice(1));
  await a.syncConcurrency();

  assert.equal(b.admit('acct', SPEC, 1).ok, true); // B's first call, on the fair share
  await b.syncConcurrency(); // B learns that A runs 4
  const onB = fill(b);
  assert.equal(onB.length, 1, 'B admits only what is left of the 6: 6 - 4 - 1');

  settle(onA);
  await a.syncConcurrency();
  await b.syncConcurrency();
  assert.equal(fill(b).length, 4, "A's calls ended: B may run the rest");
});

test("a replica that stopped reporting does not hold the account's limit", async (t) => {
  if (!(await needServices(t, { redis: true }))) return;
  const { a, redis, key } = await replicas(t);

  // A replica that died with 5 calls in flight, last heard of ten minutes ago.
  const [secs] = await redis.time();
  await redis.hset(key, 'dead-replica', `5:${(Number(secs) - 600) * 1000}`);
  fill(a);
  await a.syncConcurrency();
  assert.equal(await redis.hexists(key, 'dead-replica'), 0, 'the stale count was removed');
  const more = fill(a);
  assert.equal(more.length, 3, "the whole limit once the dead replica's count is gone");
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { PgKeys } from '../../src/fleet/pg-keys.js';
import { migrate } from '../../src/fleet/postgres.js';
import { startFakeUpstream } from '../gateway/helpers/fake-upstream.js';
import { freePort, needServices, PG_URL, REDIS_URL, uniqueName, spawnServe } from './services.js';

const ADMIN = 'fleet-admin-token-0123456789';
const RPM = 1200;

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never became ready`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

test('three moat serve replicas share one limit and one policy', async (t) => {
  if (!(await needServices(t, { pg: true, redis: true }))) return;

  const schema = uniqueName('moat_fleet');
  const prefix = uniqueName('moat-fleet');
  const dir = mkdtempSync(join(tmpdir(), 'moat-fleet-'));
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const upstream = await startFakeUpstream();
  const children: ChildProcess[] = [];
  try {
    await migrate(pool, schema);
    const keys = new PgKeys(pool, schema);
    const { secret } = await keys.create('acct_fleet', 'standard');

    const configFile = join(dir, 'moat.yaml');
    writeFileSync(
      configFile,
      JSON.stringify({
        tiers: {
          standard: {
            requests_per_minute: RPM,
            tokens_per_minute: 10_000_000,
            max_concurrent: 300,
          },
        },
        fleet: { key_prefix: prefix, schema, replicas: 3, burst_s: 2, lease_ms: 150 },
      }),
    );
    const urls: string[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const env = {
        ...process.env,
        MOAT_HOME: join(dir, `r${i}`),
        MOAT_DATABASE_URL: PG_URL,
        MOAT_REDIS_URL: REDIS_URL,
        MOAT_ADMIN_TOKEN: ADMIN,
        MOAT_LOG_LEVEL: 'warn',
      };
      const child = spawnServe({
        configFile,
        port,
        upstream: upstream.url,
        env,
        stderr: 'inherit',
      });
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
    }
    await Promise.all(urls.map(waitReady));

    // Offer 60 requests/s round-robin over the replicas for 12.5 s; the limit is 20/s and the
    // shared bucket (2 s of rate) is drained after about 2 s, so the last 10 s measure the rate.
    // Unused leases (at most replicas x lease_ms of rate) are the error bound: 4.5% of 10 s here.
    const call = (url: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'm',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 16,
        }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    const start = Date.now();
    const measureFrom = start + 2500;
    const results: Promise<{ status: number; at: number; replica: number }>[] = [];
    for (let i = 0; Date.now() - start < 12_500; i++) {
      const due = start + (i * 1000) / 60;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const at = Date.now();
      results.push(call(urls[i % 3]).then((status) => ({ status, at, replica: i % 3 })));
    }
    const offerEnd = Date.now();
    const done = await Promise.all(results);
    const probe = new Redis(REDIS_URL);
    const left = Number(await probe.hget(`${prefix}:lim:acct_fleet:r`, 'v'));
    probe.disconnect();
    const sends = done.map((r) => r.at).filter((at) => at >= measureFrom);
    const maxGap = Math.max(...sends.slice(1).map((at, i) => at - sends[i]));
    const window = (offerEnd - measureFrom) / 1000;
    const admitted = done.filter((r) => r.at >= measureFrom && r.status === 200).length;
    const expected = (RPM / 60) * window;
    const perReplica = [0, 1, 2].map(
      (k) => done.filter((r) => r.replica === k && r.at >= measureFrom && r.status === 200).length,
    );
    const statuses = [...new Set(done.map((r) => r.status))].sort();
    t.diagnostic(
      `admitted ${admitted} in ${window.toFixed(2)} s, expected ${expected.toFixed(0)} ` +
        `(${((admitted / expected - 1) * 100).toFixed(1)}%), ` +
        `per replica ${perReplica.join('/')}, ` +
        `statuses ${statuses.join(',')}; ${left.toFixed(1)} left in the shared bucket, ` +
        `longest pause of the client ${maxGap} ms`,
    );
    assert.ok(Math.abs(admitted - expected) <= expected * 0.05, `${admitted} vs ${expected}`);
    assert.deepEqual(statuses, [200, 429]);

    // A block set on replica 0 applies on replicas 1 and 2 within one second.
    const put = await fetch(`${urls[0]}/admin/v1/overrides/acct_fleet`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ kind: 'block', reason: 'fleet test' }),
    });
    assert.equal(put.status, 200);
    const setAt = Date.now();
    let crossedMs = -1;
    let probes = 0;
    while (Date.now() - setAt < 1000) {
      const s = await Promise.all([call(urls[1]), call(urls[2])]);
      probes += 2;
      if (s.every((x) => x === 403)) {
        crossedMs = Date.now() - setAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    t.diagnostic(`block crossed to the other replicas in ${crossedMs} ms`);
    assert.ok(crossedMs >= 0, 'the block did not reach the other replicas within 1 s');

    // Every call, refused ones included, is one event in Postgres once the replicas stop.
    await Promise.all(children.map(stop));
    const rows = await pool.query(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${schema}.events`,
    );
    const sent = done.length + probes;
    t.diagnostic(`${rows.rows[0].n} events in Postgres for ${sent} calls`);
    assert.equal(Number(rows.rows[0].d), Number(rows.rows[0].n), 'no event twice');
    assert.equal(Number(rows.rows[0].n), sent, 'no event lost');
  } finally {
    await Promise.all(children.map(stop));
    await upstream.close();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => 0);
    await pool.end();
    const r = new Redis(REDIS_URL);
    const stale = await r.keys(`${prefix}:*`).catch(() => [] as string[]);
    if (stale.length) await r.del(...stale).catch(() => 0);
    r.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
});

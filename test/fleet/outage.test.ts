import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgKeys } from '../../src/fleet/pg-keys.js';
import { migrate } from '../../src/fleet/postgres.js';
import { startFakeUpstream } from '../gateway/helpers/fake-upstream.js';
import {
  freePort,
  needServices,
  PG_URL,
  PrivateRedis,
  uniqueName,
  spawnServe,
} from './services.js';
import { CuttableProxy } from './tcp-proxy.js';

// What this test does: one `moat serve` replica runs against a private redis-server (started
// and killed by the test, never the shared one) and against the shared Postgres reached through
// a TCP proxy that the test cuts and restores. Both go away while requests keep coming; the
// replica keeps serving (fail-open), and once both are back every call is one event in Postgres.
test('moat serve through Redis and Postgres outages loses and doubles nothing', async (t) => {
  if (!(await needServices(t, { pg: true, redis: true }))) return;

  const schema = uniqueName('moat_outage');
  const dir = mkdtempSync(join(tmpdir(), 'moat-outage-'));
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const upstream = await startFakeUpstream();
  const redis = await PrivateRedis.start();
  const proxy = new CuttableProxy(await freePort(), { host: '127.0.0.1', port: 5432 });
  let child: ChildProcess | undefined;
  try {
    await proxy.open();
    await migrate(pool, schema);
    const { secret } = await new PgKeys(pool, schema).create('acct_outage', 'standard');

    const dbUrl = new URL(PG_URL);
    dbUrl.host = `127.0.0.1:${proxy.port}`;
    const configFile = join(dir, 'moat.yaml');
    writeFileSync(
      configFile,
      JSON.stringify({ fleet: { schema, key_prefix: schema, on_failure: 'open' } }),
    );
    const port = await freePort();
    const env = {
      ...process.env,
      MOAT_HOME: join(dir, 'home'),
      MOAT_DATABASE_URL: dbUrl.toString(),
      MOAT_REDIS_URL: redis.url,
      MOAT_LOG_LEVEL: 'warn',
    };
    child = spawnServe({ configFile, port, upstream: upstream.url, env, stderr: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (
        await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const statuses: number[] = [];
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
        });
        await r.arrayBuffer();
        statuses.push(r.status);
      }
    };

    const gauge = async (name: string) => {
      const text = await fetch(`${url}/metrics`).then((r) => r.text());
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };

    await burst(40);
    await redis.stop();
    await proxy.cut();
    await burst(60);
    assert.equal(await gauge('moat_fleet_limits_shared'), 0, 'on local limits during the outage');
    assert.equal(await gauge('moat_fleet_postgres_down'), 1, 'spooling during the outage');
    await redis.start();
    await burst(20);
    await proxy.open();
    await burst(30);
    // Both reconnect on their own; give them up to 10 s on a busy machine.
    const back = async () =>
      (await gauge('moat_fleet_limits_shared')) === 1 &&
      (await gauge('moat_fleet_postgres_down')) === 0;
    for (let i = 0; i < 100 && !(await back()); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await gauge('moat_fleet_limits_shared'), 1);
    assert.equal(await gauge('moat_fleet_postgres_down'), 0, 'the spool was replayed');

    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;

    const rows = await pool.query(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${schema}.events`,
    );
    t.diagnostic(
      `${statuses.length} calls (${statuses.filter((s) => s === 200).length} ok), ` +
        `${rows.rows[0].n} events`,
    );
    assert.ok(
      statuses.every((s) => s === 200),
      `fail-open kept serving: ${[...new Set(statuses)]}`,
    );
    assert.equal(Number(rows.rows[0].n), statuses.length, 'no event lost');
    assert.equal(Number(rows.rows[0].d), statuses.length, 'no event twice');
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await redis.stop();
    await proxy.cut();
    await upstream.close();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => 0);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { MoatEvent } from '../../src/core/event.js';
import { newId } from '../../src/core/ids.js';
import { PgEventSink } from '../../src/fleet/pg-events.js';
import { PgWriter } from '../../src/fleet/pg-writer.js';
import { connectPostgres, migrate, PgRecords } from '../../src/fleet/postgres.js';
import { Spool } from '../../src/fleet/spool.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { freePort, needServices, PG_URL, uniqueName } from './services.js';
import { CuttableProxy } from './tcp-proxy.js';

const TIERS = {
  standard: { retainText: false, retainTextHours: 0 },
} as unknown as import('../../src/config/index.js').TiersConfig;
const schemas: string[] = [];
const dirs: string[] = [];

after(async () => {
  if (schemas.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect().catch(() => undefined);
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => 0);
  await admin.end().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function event(i: number): MoatEvent {
  return {
    v: 1,
    id: newId('evt'),
    ts: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(),
    account: `acct_${i % 7}`,
    tier: 'standard',
    client: { ip: '198.51.100.7' },
    route: 'chat.completions',
    model: 'm',
    params: { temperature: 0 },
    input: { messages: [{ role: 'user', content: 'secret prompt text' }] },
    usage: { input_tokens: 3, output_tokens: 5 },
    status: 200,
    latency_ms: 12.5,
  };
}

async function fixture() {
  const schema = uniqueName('moat_test');
  schemas.push(schema);
  const dir = mkdtempSync(join(tmpdir(), 'moat-spool-'));
  dirs.push(dir);
  const direct = new pg.Pool({ connectionString: PG_URL, max: 2 });
  await migrate(direct, schema);

  const proxy = new CuttableProxy(await freePort(), { host: '127.0.0.1', port: 5432 });
  await proxy.open();
  const url = new URL(PG_URL);
  url.host = `127.0.0.1:${proxy.port}`;
  const pool = connectPostgres(url.toString());
  const options = { flushMs: 20, batchSize: 100, probeMs: 100 };
  const writer = new PgWriter(pool, schema, new Spool(dir), options);
  const count = async () =>
    Number((await direct.query(`SELECT count(*) AS n FROM ${schema}.events`)).rows[0].n);
  const close = async () => {
    await writer.close();
    await pool.end().catch(() => undefined);
    await direct.end();
    await proxy.cut();
  };
  return { schema, dir, direct, proxy, pool, writer, count, close, options };
}

test('Postgres cut mid-run: every event arrives exactly once after recovery', async (t) => {
  if (!(await needServices(t, { pg: true }))) return;
  const f = await fixture();
  try {
    const sink = new PgEventSink(f.writer, TIERS);
    const ids = new Set<string>();
    for (let b = 0; b < 40; b++) {
      const batch = Array.from({ length: 50 }, (_, i) => event(b * 50 + i));
      for (const e of batch) ids.add(e.id);
      sink.write(batch);
      if (b === 15) await f.proxy.cut();
      if (b === 30) await f.proxy.open();
      await new Promise((r) => setTimeout(r, 25));
    }
    await f.writer.drained();

    const n = await f.count();
    const distinct = await f.direct.query(`SELECT count(DISTINCT id) AS n FROM ${f.schema}.events`);
    t.diagnostic(`${ids.size} events: ${n} rows; stats ${JSON.stringify(f.writer.stats)}`);
    assert.ok(f.writer.stats.spooled > 0, 'the outage really sent events to the spool');
    assert.equal(n, ids.size);
    assert.equal(Number(distinct.rows[0].n), ids.size);

    const texts = await f.direct.query(
      `SELECT count(*) AS n FROM ${f.schema}.events WHERE input IS NOT NULL`,
    );
    assert.equal(
      Number(texts.rows[0].n),
      0,
      'prompt text is not kept for a tier without retention',
    );
  } finally {
    await f.close();
  }
});

test('a spool left by a stopped replica is replayed by the next one, once', async (t) => {
  if (!(await needServices(t, { pg: true }))) return;
  const f = await fixture();
  try {
    await f.proxy.cut();
    const sink = new PgEventSink(f.writer, TIERS);
    const batch = Array.from({ length: 120 }, (_, i) => event(i));
    sink.write(batch);
    sink.write(batch.slice(0, 20)); // the same events again: must not count twice
    await f.writer.close();
    assert.equal(await f.count(), 0);

    await f.proxy.open();
    const next = new PgWriter(f.pool, f.schema, new Spool(f.dir), f.options);
    await next.drained();
    assert.equal(await f.count(), 120);
    assert.equal(next.stats.replayed, 140);
    await next.close();
  } finally {
    await f.close();
  }
});

test('policy records survive an outage too: audit and overrides are replayed', async (t) => {
  if (!(await needServices(t, { pg: true }))) return;
  const f = await fixture();
  try {
    const records = new PgRecords(f.pool, f.schema, f.writer);
    const engine = new PolicyEngine(parsePolicyConfig({}), { records });
    await f.proxy.cut();
    engine.applyVerdict({ account: 'a', risk: 0.8, verdict: 'review', reasons: [], ts: 'x' });
    const ts = new Date().toISOString();
    engine.setOverride({ account: 'b', kind: 'block', reason: 'fraud', by: 'ana', ts });
    const hydra = { id: 'clu_h', accounts: ['h1', 'h2'], risk: 0.95, verdict: 'block' as const };
    engine.applyVerdict({ ...hydra, reasons: [], ts: 'x' });
    await engine.flush();
    await f.writer.flush();
    await assert.rejects(records.listAudit({}), { code: 'store_unavailable' });

    await f.proxy.open();
    await f.writer.drained();
    // The cluster's own entry, and one for each member joining a blocked cluster.
    assert.deepEqual((await records.listAudit({})).map((e) => e.rule).sort(), [
      'cluster:clu_h/block',
      'cluster:clu_h/block',
      'cluster:clu_h/block',
      'override:block',
      'tier:default/review',
    ]);
    // The account's review and the cluster's (the default block sends to review too).
    assert.equal((await records.listReviews({ status: 'open' })).length, 2);
    assert.deepEqual(
      (await records.listOverrides()).map((o) => o.account),
      ['b'],
    );

    // A replica started now takes up the levels from Postgres, not only the overrides.
    const next = new PolicyEngine(parsePolicyConfig({}), { records });
    await next.loadOverrides();
    assert.deepEqual(await next.restoreLevels(), { accounts: 1, clusters: 1 });
    assert.equal(next.decide('a', 'standard').rule, 'tier:standard/review');
    assert.equal(next.decide('h2', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
    assert.equal(next.decide('b', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
  } finally {
    await f.close();
  }
});

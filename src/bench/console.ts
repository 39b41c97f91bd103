/**
 * `moat bench console`: what the per-account totals cost the event writer and save the
 * console. It times the writer's `writeRows` against the insert-only transaction it replaced,
 * on the same batches in alternating rounds, then builds a large store and times the console's
 * ranked-list read both ways: the full GROUP BY over events it used to run and the totals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { consoleApiHandler } from '../admin/console-api.js';
import { ConsoleStats } from '../admin/console-stats.js';
import { flag, intFlag, parseArgs } from '../cli/args.js';
import { parsePolicyConfig } from '../policy/config.js';
import { PolicyEngine } from '../policy/engine.js';
import { SqliteRecords } from '../policy/sqlite-records.js';
import { eventRow, type EventRowValues } from '../store/events.js';
import { openStore, type SqliteStore } from '../store/sqlite.js';
import { median, timeMs, writerEvents } from './console-data.js';

/** The console's ranked-list query before the totals: one pass over every event. */
export const FULL_GROUP_BY = `SELECT account, count(*) AS events, sum(status >= 400) AS refused,
    sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
    min(ts) AS firstTs, max(ts) AS lastTs,
    (SELECT tier FROM events e2 WHERE e2.account = events.account
      ORDER BY ts DESC LIMIT 1) AS tier
  FROM events GROUP BY account`;

/** Results of `moat bench console`; times in milliseconds, writer costs in µs per event. */
export interface ConsoleBenchResult {
  writer: {
    batches: number;
    batchSize: number;
    accounts: number;
    /** Wall time of the writes, µs per event. */
    insertOnlyUsPerEvent: number;
    withTotalsUsPerEvent: number;
    ratio: number;
    /** CPU time (user and system, the whole process) of the writes, µs per event. */
    insertOnlyCpuUsPerEvent: number;
    withTotalsCpuUsPerEvent: number;
    cpuRatio: number;
  };
  list: {
    events: number;
    accounts: number;
    buildSeconds: number;
    fullGroupByMs: { first: number; median: number; runs: number };
    totalsMs: { median: number; runs: number };
    endpointMs: { median: number; runs: number };
    backfillMs: number;
    identical: boolean;
  };
  machine: { cpus: number; node: string };
}

/** The writer's transaction as it was before the totals: the inserts alone. */
function insertOnly(store: SqliteStore): (rows: EventRowValues[]) => void {
  const insert = store.db.prepare(
    `INSERT OR IGNORE INTO events (id, ts, account, key_id, tier, route, model, status,
       latency_ms, input_tokens, output_tokens, params, client, input, output, text_expires_at)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  return store.db.transaction((rows: EventRowValues[]) => {
    for (const r of rows) {
      insert.run(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
        JSON.stringify(r[11]),
        JSON.stringify(r[12]),
        r[13] ? JSON.stringify(r[13]) : null,
        r[14] ? JSON.stringify(r[14]) : null,
        r[15],
      );
    }
  });
}

/** Adds the wall and CPU time `fn` took to `into`. */
function timeInto(into: { ms: number; cpuUs: number }, fn: () => void): void {
  const cpu = process.cpuUsage();
  into.ms += timeMs(fn);
  const used = process.cpuUsage(cpu);
  into.cpuUs += used.user + used.system;
}

/** Writer cost per event, both ways, on the same batches written to two fresh stores. */
function benchWriter(dir: string, batches: number, size: number, accounts: number) {
  const before = openStore(join(dir, 'before.db'));
  const after = openStore(join(dir, 'after.db'));
  const oldWrite = insertOnly(before);
  const rounds = 20;
  const per = Math.ceil(batches / rounds);
  const old = { ms: 0, cpuUs: 0 };
  const now = { ms: 0, cpuUs: 0 };
  let written = 0;

  for (let round = 0; round < rounds && written < batches; round++) {
    const n = Math.min(per, batches - written);
    const chunk = writerEvents(written * size, n, size, accounts).map((b) =>
      b.map((e) => eventRow(e, null)),
    );
    // Alternate which goes first, so the machine's load and the caches hit both alike.
    const runOld = () => timeInto(old, () => chunk.forEach((rows) => oldWrite(rows)));
    const runNew = () => timeInto(now, () => chunk.forEach((rows) => after.events.writeRows(rows)));
    if (round % 2 === 0) (runOld(), runNew());
    else (runNew(), runOld());
    written += n;
  }
  before.close();
  after.close();

  const events = written * size;
  return {
    batches: written,
    batchSize: size,
    accounts,
    insertOnlyUsPerEvent: (old.ms * 1000) / events,
    withTotalsUsPerEvent: (now.ms * 1000) / events,
    ratio: now.ms / old.ms,
    insertOnlyCpuUsPerEvent: old.cpuUs / events,
    withTotalsCpuUsPerEvent: now.cpuUs / events,
    cpuRatio: now.cpuUs / old.cpuUs,
  };
}

/** Times `GET /admin/v1/console/accounts` through a real HTTP server on the given store. */
async function endpointTimes(store: SqliteStore, runs: number): Promise<number[]> {
  const engine = new PolicyEngine(parsePolicyConfig({}), { records: new SqliteRecords(store.db) });
  const handler = consoleApiHandler({ token: 'bench-token', engine, store });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/admin/v1/console/accounts`;
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await fetch(url, { headers: { authorization: 'Bearer bench-token' } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`console endpoint answered ${res.status}`);
      times.push(performance.now() - t0);
    }
  } finally {
    server.close();
  }
  return times;
}

/** Ranked-list read times on a store of `events` events, both ways. */
async function benchList(dir: string, events: number, accounts: number) {
  const store = openStore(join(dir, 'list.db'));
  const t0 = performance.now();
  const batch = 10_000;
  for (let i = 0; i < events; i += batch) {
    const rows = writerEvents(i, 1, Math.min(batch, events - i), accounts)[0];
    store.events.writeRows(rows.map((e) => eventRow(e, null)));
  }
  const buildSeconds = (performance.now() - t0) / 1000;

  const full = store.db.prepare(FULL_GROUP_BY);
  const stats = new ConsoleStats(store.db);
  const fullTimes = [0, 1, 2, 3, 4].map(() => timeMs(() => full.all()));
  const totalsTimes = Array.from({ length: 50 }, () => timeMs(() => stats.traffic()));
  const endpoint = await endpointTimes(store, 20);

  const rows = full.all() as { account: string }[];
  const expected = new Map(rows.map(({ account, ...t }) => [account, t]));
  const identical = isDeepStrictEqual(stats.traffic(), expected);

  store.db.exec('DELETE FROM account_totals');
  const backfillMs = timeMs(() => store.totals.backfill());
  store.close();

  return {
    events,
    accounts: rows.length,
    buildSeconds,
    fullGroupByMs: { first: fullTimes[0], median: median(fullTimes), runs: fullTimes.length },
    totalsMs: { median: median(totalsTimes), runs: totalsTimes.length },
    endpointMs: { median: median(endpoint), runs: endpoint.length },
    backfillMs,
    identical,
  };
}

/** Runs both measures in a temporary directory, removed at the end. */
export async function runConsoleBench(
  opts: { events: number; accounts: number; batches: number },
  log: (line: string) => void,
): Promise<ConsoleBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'moat-bench-console-'));
  try {
    log(`writer: ${opts.batches} batches of 100 events from 50 accounts, both ways`);
    const writer = benchWriter(dir, opts.batches, 100, 50);
    log(`ranked list: building a store of ${opts.events} events`);
    const list = await benchList(dir, opts.events, opts.accounts);
    return { writer, list, machine: { cpus: cpus().length, node: process.version } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `moat bench console [--events N] [--accounts A] [--batches B] [--json FILE]` */
export async function runConsoleCli(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'events', 'accounts', 'batches']);
  const result = await runConsoleBench(
    {
      events: intFlag(args, 'events', 1_000_000),
      accounts: intFlag(args, 'accounts', 5000),
      batches: intFlag(args, 'batches', 4000),
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  const { writer: w, list: l } = result;
  const f = (n: number) => n.toFixed(2);
  process.stdout.write(
    [
      `writer, µs per event: insert only ${f(w.insertOnlyUsPerEvent)}, ` +
        `with totals ${f(w.withTotalsUsPerEvent)} (x${f(w.ratio)}); CPU ` +
        `${f(w.insertOnlyCpuUsPerEvent)} and ${f(w.withTotalsCpuUsPerEvent)} (x${f(w.cpuRatio)})`,
      `ranked list on ${l.events} events of ${l.accounts} accounts (built in ` +
        `${f(l.buildSeconds)} s): full GROUP BY ${f(l.fullGroupByMs.median)} ms ` +
        `(first ${f(l.fullGroupByMs.first)}), totals ${f(l.totalsMs.median)} ms, ` +
        `endpoint ${f(l.endpointMs.median)} ms; same figures: ${l.identical}`,
      `backfill of the totals from the events: ${f(l.backfillMs)} ms`,
      '',
    ].join('\n'),
  );
  const out = flag(args, 'json');
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  return l.identical ? 0 : 1;
}

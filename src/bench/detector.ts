import { createWriteStream, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { flag, intFlag, parseArgs } from '../cli/args.js';
import type { MoatEvent } from '../core/event.js';
import { parseEventLine } from '../core/event-parse.js';
import { analyzeFile } from '../detect/analyze.js';
import { DetectionEngine } from '../detect/engine.js';
import { syntheticEvents } from './detector-traffic.js';

/** Results of `moat bench detector`. */
export interface DetectorBenchResult {
  events: number;
  accounts: number;
  /** Engine only (features, signals, linking), events per CPU-second of one thread. */
  ingestPerCoreS: number;
  /** JSON parsing of log lines plus the engine, events per CPU-second. */
  parseIngestPerCoreS: number;
  /** Memory retained per active account with full prompt rings (heap and buffers), in bytes. */
  bytesPerActiveAccount: number;
  /** Optional end-to-end `moat analyze` run on a generated file. */
  analyze?: { events: number; fileMb: number; seconds: number; eventsPerS: number };
  machine: { cpus: number; model: string; node: string };
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function ingestRate(events: MoatEvent[]): number {
  const engine = new DetectionEngine();
  const t0 = cpuSeconds();
  for (const e of events) engine.ingest(e);
  return events.length / (cpuSeconds() - t0);
}

function parseIngestRate(lines: string[]): number {
  const engine = new DetectionEngine();
  const t0 = cpuSeconds();
  for (let i = 0; i < lines.length; i++) engine.ingest(parseEventLine(lines[i], i + 1));
  return lines.length / (cpuSeconds() - t0);
}

/** Bytes held by JavaScript objects and by typed-array buffers (which live off the V8 heap). */
function retained(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Memory retained per active account once every account has filled its prompt rings. */
function bytesPerAccount(accounts: number): number {
  const perAccount = 64;
  gc();
  gc();
  const before = retained();
  const engine = new DetectionEngine({ config: { link: false } });
  const n = accounts * perAccount;
  for (const e of syntheticEvents({ events: n, accounts, harvestShare: 0, seed: 5 })) {
    engine.ingest(e);
  }
  gc();
  gc();
  const after = retained();
  const active = engine.stats().active;
  return Math.round((after - before) / Math.max(1, active));
}

async function analyzeRun(n: number): Promise<DetectorBenchResult['analyze']> {
  const file = join(tmpdir(), `moat-bench-detector-${process.pid}.jsonl`);
  const out = createWriteStream(file);
  let batch: string[] = [];
  for (const e of syntheticEvents({ events: n, accounts: 2000, harvestShare: 0.05, seed: 7 })) {
    batch.push(JSON.stringify(e));
    if (batch.length < 1000) continue;
    if (!out.write(`${batch.join('\n')}\n`))
      await new Promise<void>((r) => out.once('drain', () => r()));
    batch = [];
  }
  out.end(batch.length ? `${batch.join('\n')}\n` : '');
  await new Promise<void>((r) => out.once('finish', () => r()));
  const size = statSync(file).size;
  try {
    const r = await analyzeFile(file);
    return {
      events: r.report.events,
      fileMb: Math.round(size / 1e6),
      seconds: Math.round(r.seconds * 10) / 10,
      eventsPerS: Math.round(r.report.events / r.seconds),
    };
  } finally {
    unlinkSync(file);
  }
}

/** Measures the engine's speed per core and its memory per active account. */
export async function runDetectorBench(o: {
  events: number;
  accounts: number;
  analyze: number;
  progress?: (line: string) => void;
}): Promise<DetectorBenchResult> {
  const bytes = bytesPerAccount(Math.min(o.accounts, 5000));
  o.progress?.(`memory: ${bytes} bytes per active account`);
  const events = [
    ...syntheticEvents({ events: o.events, accounts: o.accounts, harvestShare: 0.05, seed: 1 }),
  ];
  const lines = events.map((e) => JSON.stringify(e));
  ingestRate(events.slice(0, Math.min(20_000, events.length)));
  const ingest = ingestRate(events);
  o.progress?.(`engine: ${Math.round(ingest)} events/s per core`);
  const parseIngest = parseIngestRate(lines);
  o.progress?.(`parse + engine: ${Math.round(parseIngest)} events/s per core`);
  const analyze = o.analyze > 0 ? await analyzeRun(o.analyze) : undefined;
  const cpu = cpus();
  return {
    events: o.events,
    accounts: o.accounts,
    ingestPerCoreS: Math.round(ingest),
    parseIngestPerCoreS: Math.round(parseIngest),
    bytesPerActiveAccount: bytes,
    analyze,
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', node: process.version },
  };
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

/** The result as a Markdown table. */
export function detectorTable(r: DetectorBenchResult): string {
  const rows = [
    '| measure | value |',
    '| --- | --- |',
    `| engine (features, signals, linking), events/s per core | ${r.ingestPerCoreS} |`,
    `| JSON parse + engine, events/s per core | ${r.parseIngestPerCoreS} |`,
    `| memory per active account (full prompt rings) | ${kb(r.bytesPerActiveAccount)} KB |`,
  ];
  if (r.analyze) {
    rows.push(
      `| moat analyze, ${r.analyze.events} events (${r.analyze.fileMb} MB) | ` +
        `${r.analyze.seconds} s (${r.analyze.eventsPerS} events/s) |`,
    );
  }
  return rows.join('\n');
}

/** `moat bench detector [--json F] [--events N] [--accounts N] [--analyze N]`. */
export async function runDetectorCli(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'events', 'accounts', 'analyze']);
  const result = await runDetectorBench({
    events: intFlag(args, 'events', 200_000),
    accounts: intFlag(args, 'accounts', 5000),
    analyze: intFlag(args, 'analyze', 0),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${detectorTable(result)}\n`);
  const m = result.machine;
  process.stdout.write(`${m.cpus} cpus (${m.model}), node ${m.node}\n`);
  const out = flag(args, 'json');
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

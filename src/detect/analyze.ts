import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MoatEvent } from '../core/event.js';
import { EventLineError, parseEventLine } from '../core/event-parse.js';
import type { Report } from '../core/verdict.js';
import { DetectionEngine, type EngineOptions } from './engine.js';
import { ReorderBuffer } from './reorder.js';

/** A line of the log that was skipped, with why. */
export interface SkippedLine {
  line: number;
  reason: string;
}

/** Options of an offline run. */
export interface AnalyzeOptions extends EngineOptions {
  /** Called now and then with bytes read and the file size, for a progress bar. */
  onProgress?: (read: number, total: number) => void;
  /** Called for each malformed line; the run goes on. */
  onSkip?: (s: SkippedLine) => void;
  /** Events held back to restore time order when the log is slightly out of order. */
  reorderWindow?: number;
}

/** The outcome of an offline run. */
export interface AnalyzeResult {
  report: Report;
  engine: DetectionEngine;
  lines: number;
  skipped: number;
  /** Events that arrived later than the reorder window could fix. */
  late: number;
  seconds: number;
}

/**
 * Streams a `moat.event.v1` log through a fresh engine, line by line, in time order, exactly as
 * the live path would see the events. Malformed lines are reported and skipped.
 */
export async function analyzeFile(file: string, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const started = process.hrtime.bigint();
  const engine = new DetectionEngine(opts);
  const buffer = new ReorderBuffer<MoatEvent>(opts.reorderWindow ?? 1024);
  const total = statSync(file).size;
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });

  let lines = 0;
  let skipped = 0;
  for await (const raw of rl) {
    lines++;
    if (lines % 16384 === 0) opts.onProgress?.(stream.bytesRead, total);
    if (raw.trim() === '') continue;
    let event: MoatEvent;
    try {
      event = parseEventLine(raw, lines);
    } catch (err) {
      skipped++;
      const reason = err instanceof EventLineError ? err.message : String(err);
      opts.onSkip?.({ line: lines, reason });
      continue;
    }
    const out = buffer.push(Date.parse(event.ts), event);
    if (out) engine.ingest(out);
  }
  for (let e = buffer.pop(); e; e = buffer.pop()) engine.ingest(e);
  opts.onProgress?.(total, total);

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { report: engine.report(), engine, lines, skipped, late: buffer.late, seconds };
}

import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EventLineError, parseEventLine } from '../core/event-parse.js';
import { extractFeatures, type EventFeatures } from './features.js';
import { ReorderBuffer } from './reorder.js';
import { promptText } from './text.js';

/** A line of the log that was skipped, with why. */
export interface SkippedLine {
  line: number;
  reason: string;
}

/** Counts of a finished read. */
export interface ReadStats {
  lines: number;
  skipped: number;
  /** Events that arrived later than the reorder window could fix. */
  late: number;
  /** With an embedding endpoint: prompts embedded, and prompts left hashed after a failure. */
  embedded?: number;
  embedFailed?: number;
}

/** Options of a log read. */
export interface ReadOptions {
  reorderWindow?: number;
  onSkip?: (s: SkippedLine) => void;
  onProgress?: (read: number, total: number) => void;
  /** Keep each event's prompt text beside its features (for an embedding endpoint). */
  keepText?: boolean;
}

/** A parsed event's features and its ISO time. */
export interface TimedFeatures {
  f: EventFeatures;
  ts: string;
  /** The prompt's user text, when the read keeps it. */
  text?: string;
}

/**
 * Reads a `moat.event.v1` log line by line and yields each event's features in time order
 * (a small reorder window fixes slightly out-of-order logs). Malformed lines are reported
 * through `onSkip` with their number and skipped. `stats` is filled in as the read goes.
 */
export async function* readFeatures(
  file: string,
  o: ReadOptions,
  stats: ReadStats,
): AsyncGenerator<TimedFeatures> {
  const buffer = new ReorderBuffer<TimedFeatures>(o.reorderWindow ?? 1024);
  const total = statSync(file).size;
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });

  for await (const raw of rl) {
    stats.lines++;
    if (stats.lines % 16384 === 0) o.onProgress?.(stream.bytesRead, total);
    if (raw.trim() === '') continue;
    let item: TimedFeatures;
    try {
      const event = parseEventLine(raw, stats.lines);
      item = { f: extractFeatures(event), ts: event.ts };
      if (o.keepText) item.text = promptText(event)?.user;
    } catch (err) {
      stats.skipped++;
      const reason = err instanceof EventLineError ? err.message : String(err);
      o.onSkip?.({ line: stats.lines, reason });
      continue;
    }
    const out = buffer.push(item.f.tsMs, item);
    if (out) yield out;
  }
  for (let e = buffer.pop(); e; e = buffer.pop()) yield e;
  stats.late = buffer.late;
  o.onProgress?.(total, total);
}

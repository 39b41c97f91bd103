import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { log } from '../core/log.js';

/** One durable write waiting for Postgres: a kind (table) and its row. */
export interface SpoolEntry {
  kind: string;
  row: unknown;
}

/**
 * A local append-only file of writes that could not reach Postgres. Appends are synchronous so
 * nothing acknowledged is lost if the process dies; replay works on a renamed copy, so appends
 * during a replay go to a fresh file, and a replay that fails half-way is simply run again
 * (the inserts are idempotent, keyed by id).
 */
export class Spool {
  private readonly file: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'spool.jsonl');
  }

  /** Appends entries; throws only if the disk refuses. */
  append(entries: SpoolEntry[]): void {
    if (entries.length === 0) return;
    appendFileSync(this.file, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  /** True when something waits for replay. */
  pending(): boolean {
    return existsSync(this.file) || this.replayFiles().length > 0;
  }

  /**
   * Hands every spooled entry, oldest file first, to `apply` in batches; each file is removed
   * only after all its batches succeeded. A throw from `apply` stops the replay, keeping the file.
   */
  async replay(apply: (batch: SpoolEntry[]) => Promise<void>, batchSize = 500): Promise<number> {
    if (existsSync(this.file)) renameSync(this.file, join(this.dir, `replay-${Date.now()}.jsonl`));

    let done = 0;
    for (const name of this.replayFiles()) {
      const path = join(this.dir, name);
      const entries = readEntries(path);
      for (let i = 0; i < entries.length; i += batchSize) {
        await apply(entries.slice(i, i + batchSize));
      }
      rmSync(path);
      done += entries.length;
    }
    return done;
  }

  private replayFiles(): string[] {
    return readdirSync(this.dir)
      .filter((n) => n.startsWith('replay-') && n.endsWith('.jsonl'))
      .sort();
  }
}

function readEntries(path: string): SpoolEntry[] {
  const out: SpoolEntry[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '') continue;
    try {
      out.push(JSON.parse(lines[i]) as SpoolEntry);
    } catch {
      // A torn last line from a crash mid-append: report it, keep the rest.
      log.error({ path, line: i + 1 }, 'unreadable spool line skipped');
    }
  }
  return out;
}

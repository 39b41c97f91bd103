import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import type { GatewayMetrics } from './metrics.js';

/** A spilled event and who still has to receive it. */
export interface SpilledEvent {
  event: MoatEvent;
  /** Names of the sinks that have not stored it. */
  sinks: string[];
  /** Whether the in-process listeners still have to see it. */
  listeners: boolean;
}

/**
 * Events that could not be queued or stored, kept on disk under `MOAT_HOME/spill/` as JSONL and
 * fed back into the queue once it has room (and at the next start). Lines are buffered in memory
 * only until the next queue tick, then appended in one write.
 */
export class Spill {
  private pending: string[] = [];
  private replay: SpilledEvent[] = [];
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly metrics: GatewayMetrics,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `events-${process.pid}-${Date.now()}.jsonl`);
    this.loadExisting();
  }

  /** Keeps events to be written at the next tick, with who has yet to receive them. */
  add(events: MoatEvent[], sinks: string[], listeners: boolean): void {
    for (const event of events) this.pending.push(JSON.stringify({ sinks, listeners, event }));
  }

  /** Appends the buffered lines to the spill file; a failed write counts them as dropped. */
  writePending(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    try {
      appendFileSync(this.file, `${lines.join('\n')}\n`);
    } catch (err) {
      log.error({ err: (err as Error).message, n: lines.length }, 'spill write failed');
      this.metrics.eventsDropped.inc([], lines.length);
    }
  }

  /** Whether spilled events are waiting to be replayed. */
  hasReplay(): boolean {
    if (this.replay.length > 0) return true;
    if (this.pending.length > 0 || !existsSync(this.file)) return false;
    this.load(this.file);
    return this.replay.length > 0;
  }

  /** Whether anything is spilled, in memory or on disk (without loading the file). */
  waiting(): boolean {
    return this.replay.length > 0 || this.pending.length > 0 || existsSync(this.file);
  }

  /** Puts events loaded for replay but not delivered back on disk (at shutdown). */
  release(): void {
    for (const s of this.replay) this.pending.push(JSON.stringify(s));
    this.replay = [];
    this.writePending();
  }

  /** Takes up to `n` spilled events for delivery. */
  takeReplay(n: number): SpilledEvent[] {
    return this.replay.splice(0, n);
  }

  private loadExisting(): void {
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith('.jsonl')) this.load(join(this.dir, name));
    }
  }

  private load(file: string): void {
    const claimed = `${file}.replaying`;
    try {
      renameSync(file, claimed);
      const text = readFileSync(claimed, 'utf8');
      rmSync(claimed);
      let bad = 0;
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          this.replay.push(JSON.parse(line) as SpilledEvent);
        } catch {
          bad++;
        }
      }
      if (bad > 0) log.warn({ file, bad }, 'spill lines unreadable, skipped');
      log.info({ file, n: this.replay.length }, 'replaying spilled events');
    } catch (err) {
      log.error({ file, err: (err as Error).message }, 'spill replay failed');
    }
  }
}

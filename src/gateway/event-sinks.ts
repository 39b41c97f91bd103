import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { TiersConfig } from '../config/index.js';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import { eventRow, type EventRowValues, type EventTable } from '../store/events.js';
import type { EventSink } from './event-queue.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * The event as it may be kept: unchanged for a tier that opts into text retention, otherwise
 * without the prompt and without the response text (the finish reason stays).
 */
export function retained(event: MoatEvent, tiers: TiersConfig): MoatEvent {
  const tier = event.tier ? tiers[event.tier] : undefined;
  if (tier?.retainText) return event;
  if (!event.input && event.output?.text === undefined) return event;

  const { input: _input, output, ...rest } = event;
  if (!output) return rest;
  const { text: _text, ...keptOutput } = output;
  return { ...rest, output: keptOutput };
}

/** The store row of an event, with text kept or removed as its tier says (as `retained`). */
export function storedRow(event: MoatEvent, tiers: TiersConfig, now: number): EventRowValues {
  const row = eventRow(event, textExpiry(event, tiers, now));
  const tier = event.tier ? tiers[event.tier] : undefined;
  if (tier?.retainText) return row;

  row[13] = null;
  if (event.output) {
    const { text: _text, ...kept } = event.output;
    row[14] = kept;
  }
  return row;
}

/** When an event's retained text must be removed, or null if it keeps none. */
export function textExpiry(event: MoatEvent, tiers: TiersConfig, now: number): string | null {
  const tier = event.tier ? tiers[event.tier] : undefined;
  if (!tier?.retainText) return null;
  return new Date(now + tier.retainTextHours * 3_600_000).toISOString();
}

const PURGE_EVERY_MS = 60_000;

/** Writes batches to the SQLite events table, stripping text per tier; purges expired text. */
export class SqliteSink implements EventSink {
  readonly name = 'store';
  private lastPurge = 0;

  constructor(
    private readonly table: EventTable,
    private readonly tiers: TiersConfig,
    private readonly metrics: GatewayMetrics,
  ) {}

  write(batch: MoatEvent[]): void {
    const now = Date.now();
    this.table.write(
      batch.map((e) => ({
        event: retained(e, this.tiers),
        expiresAt: textExpiry(e, this.tiers, now),
      })),
    );
    this.metrics.eventsWritten.inc([], batch.length);

    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    const purged = this.table.purgeExpiredText(new Date(now));
    if (purged > 0) log.info({ purged }, 'expired event text removed');
  }
}

/** Appends each event as one `moat.event.v1` JSON line (same retention rule as the store). */
export class JsonlSink implements EventSink {
  readonly name = 'jsonl';
  private readonly out: WriteStream;
  private failed?: Error;

  constructor(
    readonly file: string,
    private readonly tiers: TiersConfig,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.out = createWriteStream(file, { flags: 'a' });
    this.out.on('error', (err) => {
      this.failed = err;
      log.error({ file, err: err.message }, 'events-out write failed');
    });
  }

  write(batch: MoatEvent[]): void {
    if (this.failed) throw this.failed;
    let text = '';
    for (const e of batch) text += `${JSON.stringify(retained(e, this.tiers))}\n`;
    this.out.write(text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}

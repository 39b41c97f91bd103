import type { EventsConfig } from '../config/index.js';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import type { GatewayMetrics } from './metrics.js';
import type { Spill, SpilledEvent } from './spill.js';

/** Receives events in batches, off the request path. A throw sends the batch to the spill. */
export interface EventSink {
  name: string;
  write(batch: MoatEvent[]): void;
  close?(): Promise<void> | void;
}

/** An in-process subscriber (the live detector); gets every event in full, text included. */
export type EventListener = (event: MoatEvent) => void;

/**
 * The bounded queue between the request path and everything that consumes events. `push` is
 * O(1) and never blocks; batches are delivered to listeners and sinks on a timer or as soon as
 * a batch is full, one batch per tick so requests keep being served between them. When the queue is
 * full the configured mode applies: `spill` appends the event to a file under MOAT_HOME that is
 * replayed once the queue has room, `drop` counts it in `moat_events_dropped_total`.
 */
export class EventQueue {
  private items: MoatEvent[] = [];
  private readonly listeners: EventListener[] = [];
  private readonly sinks: EventSink[] = [];
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;

  constructor(
    private readonly config: EventsConfig,
    private readonly metrics: GatewayMetrics,
    private readonly spill?: Spill,
  ) {}

  /** Events waiting for delivery. */
  get depth(): number {
    return this.items.length;
  }

  /** Adds a subscriber that receives every event in full. */
  onEvent(fn: EventListener): void {
    this.listeners.push(fn);
  }

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Queues one event; never throws, never waits. */
  push(event: MoatEvent): void {
    if (this.items.length >= this.config.queueSize) {
      this.overflow([event]);
      return;
    }
    this.items.push(event);
    if (this.items.length >= this.config.batchSize) this.soon();
    else if (!this.timer) this.timer = setTimeout(() => this.tick(), this.config.flushIntervalMs);
  }

  /** Delivers everything queued (and replays the spill) before resolving. */
  async flush(): Promise<void> {
    this.cancel();
    while (this.items.length > 0) this.deliver(this.items.splice(0, this.config.batchSize));
    this.spill?.writePending();
    for (let guard = 0; guard < 10_000 && this.spill?.hasReplay(); guard++) {
      const batch = this.spill.takeReplay(this.config.batchSize);
      if (batch.length === 0) break;
      this.redeliver(batch);
    }
  }

  /** Flushes, then closes every sink. */
  async close(): Promise<void> {
    await this.flush();
    for (const sink of this.sinks) await sink.close?.();
  }

  private soon(): void {
    if (!this.immediate) this.immediate = setImmediate(() => this.tick());
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private tick(): void {
    this.cancel();
    // One batch per tick, then yield: a store write blocks the event loop while it runs, so
    // batches are kept small and requests are served between them.
    if (this.items.length > 0) this.deliver(this.items.splice(0, this.config.batchSize));
    this.spill?.writePending();

    if (this.items.length === 0 && this.spill?.hasReplay()) {
      this.redeliver(this.spill.takeReplay(this.config.batchSize));
    }
    if (this.items.length > 0 || this.spill?.hasReplay()) this.soon();
  }

  private deliver(batch: MoatEvent[]): void {
    if (batch.length === 0) return;
    this.notify(batch);
    for (const sink of this.sinks) this.write(sink, batch);
  }

  /** Delivers replayed events only to the listeners and sinks that missed them. */
  private redeliver(batch: SpilledEvent[]): void {
    this.notify(batch.filter((s) => s.listeners).map((s) => s.event));
    for (const sink of this.sinks) {
      this.write(
        sink,
        batch.filter((s) => s.sinks.includes(sink.name)).map((s) => s.event),
      );
    }
  }

  private notify(batch: MoatEvent[]): void {
    for (const fn of this.listeners) {
      for (const e of batch) {
        try {
          fn(e);
        } catch (err) {
          log.error({ err: (err as Error).message }, 'event listener failed');
        }
      }
    }
  }

  private write(sink: EventSink, batch: MoatEvent[]): void {
    if (batch.length === 0) return;
    try {
      sink.write(batch);
    } catch (err) {
      log.error({ sink: sink.name, err: (err as Error).message, n: batch.length }, 'sink failed');
      this.overflow(batch, [sink.name], false);
    }
  }

  private overflow(events: MoatEvent[], sinks?: string[], listeners = true): void {
    if (this.config.onFull === 'spill' && this.spill) {
      this.spill.add(events, sinks ?? this.sinks.map((s) => s.name), listeners);
      this.metrics.eventsSpilled.inc([], events.length);
      this.soon();
      return;
    }
    this.metrics.eventsDropped.inc([], events.length);
  }
}

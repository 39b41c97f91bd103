import type { EventsConfig } from '../config/index.js';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import type { GatewayMetrics } from './metrics.js';
import type { Spill, SpilledEvent } from './spill.js';

/** Called by a sink that stores asynchronously, with a batch it could not store after all. */
export type SinkFailure = (batch: MoatEvent[]) => void;

/** Receives events in batches, off the request path. A throw sends the batch to the spill. */
export interface EventSink {
  name: string;
  write(batch: MoatEvent[]): void;
  /** For a sink that stores later: how to hand back a batch that failed (it is then spilled). */
  bind?(fail: SinkFailure): void;
  /** Resolves once every batch written so far is stored or handed back. */
  flush?(): Promise<void>;
  /** Whether the sink takes `n` more events now; when not, they wait in the queue. */
  hasRoom?(n: number): boolean;
  close?(): Promise<void> | void;
}

/** An in-process subscriber (the live detector); gets every event in full, text included. */
export type EventListener = (event: MoatEvent) => void;

/** After a sink fails, replay waits 1 s, doubling with each failed replay up to 30 s. */
const REPLAY_BACKOFF_MS = 1000;
const REPLAY_BACKOFF_MAX_MS = 30_000;

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
  private flushing = false;
  private closed = false;
  private lastFlush: Promise<void> = Promise.resolve();
  /** No replay from the spill before this time (ms) after a sink failed, so it is not hammered. */
  private replayAfter = 0;
  /** Replays in a row that a sink failed; sets the back-off. */
  private failedReplays = 0;
  /** A replay was handed to the sinks and has neither been stored nor failed yet. */
  private replaying = false;
  /** When a sink last failed. */
  private failedAt = 0;

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
    sink.bind?.((batch) => this.overflow(batch, [sink.name], false));
  }

  /** Queues one event; never throws, never waits. */
  push(event: MoatEvent): void {
    if (this.closed) return this.overflow([event]);
    if (this.items.length >= this.config.queueSize) {
      this.overflow([event]);
      return;
    }
    this.items.push(event);
    if (this.items.length >= this.config.batchSize) this.soon();
    else if (!this.timer) this.timer = setTimeout(() => this.tick(), this.config.flushIntervalMs);
  }

  /**
   * Delivers everything queued when called, waits until every sink has stored it (or handed it
   * back to the spill), and replays the spill, before resolving. Calls run one after another.
   */
  flush(): Promise<void> {
    const run = this.lastFlush.then(() => this.drain());
    this.lastFlush = run.catch(() => undefined);
    return run;
  }

  /** Flushes, then closes every sink; what could not be delivered stays in the spill file. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.cancel();
    this.spill?.release();
    for (const sink of this.sinks) await sink.close?.();
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    this.cancel();
    try {
      // Batches a tick handed over before this call must be stored too, not only the queued ones.
      await this.sinksStored();
      // Batch by batch, each stored before the next, so no sink is offered more than it holds.
      let batches = Math.ceil(this.items.length / this.config.batchSize);
      while (batches-- > 0 && this.items.length > 0) {
        this.deliver(this.items.splice(0, this.config.batchSize));
        await this.sinksStored();
      }
      this.spill?.writePending();
      for (let guard = 0; guard < 10_000 && this.spill?.hasReplay(); guard++) {
        const batch = this.spill.takeReplay(this.config.batchSize);
        if (batch.length === 0) break;
        this.redeliver(batch);
        await this.sinksStored();
      }
      // A sink that failed again during replay leaves lines to keep for the next start; the
      // files replayed in full go once those lines are on disk.
      this.spill?.writePending();
      this.spill?.settle(this.spill.takeFinished());
    } finally {
      this.flushing = false;
      if (this.items.length > 0) this.soon();
    }
  }

  private async sinksStored(): Promise<void> {
    for (const sink of this.sinks) await sink.flush?.();
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
    if (this.flushing || this.closed) return;

    // One batch per tick, then yield, so requests are served between batches. A sink still busy
    // with earlier batches leaves the events here, where the queue's bound applies.
    const n = this.config.batchSize;
    const room = this.sinks.every((sink) => sink.hasRoom?.(n) ?? true);
    if (this.items.length > 0 && room) this.deliver(this.items.splice(0, n));
    this.spill?.writePending();

    const now = Date.now();
    if (this.items.length === 0 && now >= this.replayAfter && this.spill?.hasReplay()) {
      this.replaying = true;
      this.redeliver(this.spill.takeReplay(n));
      const files = this.spill.takeFinished();
      void this.sinksStored().then(
        () => {
          // Stored without a failure since: the store works again, the back-off starts over.
          if (this.failedAt < now) {
            this.failedReplays = 0;
            this.replaying = false;
          }
          this.spill?.settle(files); // kept for the next start if the sinks never confirm
        },
        () => undefined,
      );
    }
    if (this.items.length > 0 && room) return this.soon();
    if (this.items.length > 0) return this.later(this.config.flushIntervalMs, true);
    if (this.spill?.waiting()) this.later(Math.max(1, this.replayAfter - now), false);
  }

  /** A tick after `ms`; one that only replays the spill does not keep the process alive. */
  private later(ms: number, keepAlive: boolean): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.tick(), ms);
    if (!keepAlive) this.timer.unref();
  }

  private deliver(batch: MoatEvent[]): void {
    if (batch.length === 0) return;
    this.notify(batch);
    for (const sink of this.sinks) this.write(sink, batch);
  }

  /** Delivers replayed events only to the listeners and sinks that missed them. */
  private redeliver(batch: SpilledEvent[]): void {
    this.notify(batch.filter((s) => s.listeners).map((s) => s.event));
    this.spill?.heard();
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

  /** A sink failed: hold replays back, longer after each replay that failed again. */
  private backOff(): void {
    const now = Date.now();
    if (this.replaying) this.failedReplays++;
    this.replaying = false;
    this.failedAt = now;
    const wait = REPLAY_BACKOFF_MS * 2 ** Math.min(this.failedReplays, 5);
    this.replayAfter = now + Math.min(wait, REPLAY_BACKOFF_MAX_MS);
  }

  /** Milliseconds until the next replay from the spill may start (0: now). */
  get replayDelayMs(): number {
    return Math.max(0, this.replayAfter - Date.now());
  }

  private overflow(events: MoatEvent[], sinks?: string[], listeners = true): void {
    if (sinks) this.backOff();
    if (this.config.onFull === 'spill' && this.spill) {
      this.spill.add(events, sinks ?? this.sinks.map((s) => s.name), listeners);
      this.metrics.eventsSpilled.inc([], events.length);
      // Once closed no tick comes to write the lines, so they go to the file at once.
      if (this.closed) this.spill.writePending();
      else this.soon();
      return;
    }
    this.metrics.eventsDropped.inc([], events.length);
  }
}

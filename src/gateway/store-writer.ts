import { Worker } from 'node:worker_threads';
import type { TiersConfig } from '../config/index.js';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import type { EventRowValues } from '../store/events.js';
import type { EventSink, SinkFailure } from './event-queue.js';
import { storedRow } from './event-sinks.js';
import type { GatewayMetrics } from './metrics.js';

/** A message to the writer thread: store a batch, or close the store and stop. */
export type WriterRequest =
  { type: 'write'; seq: number; rows: EventRowValues[] } | { type: 'close' };

/** The writer thread's answer about one batch, or that it could not open the store. */
export type WriterReply =
  | { type: 'done'; seq: number; n: number; purged: number }
  | { type: 'failed'; seq: number; err: string }
  | { type: 'fatal'; err: string };

const WORKER = new URL('./store-writer-worker.js', import.meta.url);

/** How soon a stopped writer thread is started again: `firstMs`, doubling up to `maxMs`. */
export interface WriterRestart {
  firstMs: number;
  maxMs: number;
}

/**
 * Writes event batches to the SQLite store on a worker thread, so inserts never run on the
 * gateway's event loop; the request path pays only for handing the batch over. Batches stay
 * held here until the thread confirms them. A batch the thread could not store, every batch
 * in flight when the thread dies, and a batch offered while `maxInFlight` events are already
 * waiting are all handed back to the queue, which spills them (or drops and counts them).
 * A thread that dies, or cannot open the store, is started again after a back-off; the queue
 * then replays the spill into it.
 */
export class WorkerStoreSink implements EventSink {
  readonly name = 'store';
  private worker!: Worker;
  private readonly inFlight = new Map<number, MoatEvent[]>();
  private inFlightEvents = 0;
  private seq = 0;
  private dead?: string;
  private fail: SinkFailure = () => undefined;
  private idle: (() => void)[] = [];
  private exited!: Promise<void>;
  private threadGone = false;
  private closing = false;
  private restartTimer?: NodeJS.Timeout;
  private backoffMs: number;
  /** Busy time of the threads replaced so far, so the metric keeps counting up. */
  private busyBefore = 0;
  /** Times the thread was started again. */
  restarts = 0;

  constructor(
    private readonly file: string,
    private readonly tiers: TiersConfig,
    private readonly metrics: GatewayMetrics,
    private readonly maxInFlight: number,
    private readonly restart: WriterRestart = { firstMs: 1000, maxMs: 30_000 },
  ) {
    this.backoffMs = restart.firstMs;
    this.spawn();
  }

  /** True while a thread is running and has the store open (as far as is known). */
  get alive(): boolean {
    return this.dead === undefined;
  }

  private spawn(): void {
    const worker = new Worker(WORKER, { workerData: { file: this.file } });
    this.worker = worker;
    this.dead = undefined;
    this.threadGone = false;
    worker.unref();
    // Events from a replaced thread are ignored: its batches were handed back when it stopped.
    const current = () => this.worker === worker;
    worker.on('message', (msg: WriterReply) => current() && this.onReply(msg));
    worker.on('error', (err) => current() && this.die(err.message));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.once('exit', (code) => {
      if (!current()) return;
      this.threadGone = true;
      this.die(`writer thread exited (${code})`);
    });
  }

  /** Events handed to the thread and not yet confirmed. */
  get pending(): number {
    return this.inFlightEvents;
  }

  bind(fail: SinkFailure): void {
    this.fail = fail;
  }

  /** Milliseconds the thread has spent busy (writing), for `/metrics`. */
  busyMs(): number {
    return this.busyBefore + this.worker.performance.eventLoopUtilization().active;
  }

  /** Room for `n` more events (a stopped writer takes them all, to hand them to the spill). */
  hasRoom(n: number): boolean {
    return this.dead !== undefined || this.inFlightEvents + n <= this.maxInFlight;
  }

  /** Hands a batch to the thread; throws (the queue then spills) if it is dead or backlogged. */
  write(batch: MoatEvent[]): void {
    if (this.dead) throw new Error(`store writer stopped: ${this.dead}`);
    if (this.inFlightEvents + batch.length > this.maxInFlight) {
      throw new Error(`store writer backlog over ${this.maxInFlight} events`);
    }

    const seq = ++this.seq;
    this.inFlight.set(seq, batch);
    // Keep the process alive only while batches wait for confirmation.
    if (this.inFlightEvents === 0) this.worker.ref();
    this.inFlightEvents += batch.length;
    // Rows with retention applied, not whole events: less to copy across, and no text that the
    // tier does not keep ever leaves this thread.
    const now = Date.now();
    const rows = batch.map((e) => storedRow(e, this.tiers, now));
    this.worker.postMessage({ type: 'write', seq, rows } satisfies WriterRequest);
  }

  /** Resolves once every batch handed over so far is stored or handed back. */
  flush(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Waits for the batches in flight, then closes the thread's store connection and ends it. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.flush();
    this.dead ??= 'closed';
    if (this.threadGone) return;
    this.worker.ref();
    this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
    await this.exited;
  }

  private onReply(msg: WriterReply): void {
    if (msg.type === 'fatal') {
      log.error({ err: msg.err }, 'store writer cannot open the store');
      this.die(msg.err);
      return;
    }

    const batch = this.settle(msg.seq);
    if (!batch) return;
    if (msg.type === 'done') {
      this.backoffMs = this.restart.firstMs;
      this.metrics.eventsWritten.inc([], msg.n);
      if (msg.purged > 0) log.info({ purged: msg.purged }, 'expired event text removed');
    } else {
      log.error({ err: msg.err, n: batch.length }, 'store write failed');
      this.fail(batch);
    }
    this.wake();
  }

  /** Forgets a confirmed batch and returns it. */
  private settle(seq: number): MoatEvent[] | undefined {
    const batch = this.inFlight.get(seq);
    if (!batch) return undefined;
    this.inFlight.delete(seq);
    this.inFlightEvents -= batch.length;
    if (this.inFlightEvents === 0) this.worker.unref();
    return batch;
  }

  /** The thread is gone: every unconfirmed batch goes back to the queue. */
  private die(reason: string): void {
    if (!this.dead) log.error({ reason }, 'store writer stopped');
    this.dead ??= reason;
    for (const seq of [...this.inFlight.keys()]) {
      const batch = this.settle(seq);
      if (batch) this.fail(batch);
    }
    this.wake();
    this.scheduleRestart();
  }

  /** Starts a new thread after the back-off, unless the sink is closing. */
  private scheduleRestart(): void {
    if (this.closing || this.restartTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.restart.maxMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.closing) return;
      const old = this.worker;
      try {
        this.busyBefore += old.performance.eventLoopUtilization().active;
      } catch {
        // a thread that is gone has no figure left to add
      }
      // A thread that could not open the store is still running; it is not needed any more.
      if (!this.threadGone) void old.terminate();
      this.restarts++;
      log.warn({ after_ms: delay, restarts: this.restarts }, 'store writer restarting');
      this.spawn();
    }, delay);
    this.restartTimer.unref();
  }

  private wake(): void {
    if (this.inFlight.size > 0) return;
    const waiters = this.idle;
    this.idle = [];
    for (const resolve of waiters) resolve();
  }
}

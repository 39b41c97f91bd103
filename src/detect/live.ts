import { Worker } from 'node:worker_threads';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import type { AccountVerdict, ClusterVerdict, Report } from '../core/verdict.js';
import { DetectionEngine, type EngineOptions, type VerdictListener } from './engine.js';
import type { FromWorker, ToWorker } from './live-protocol.js';

/** Options of the live host. */
export interface LiveOptions extends EngineOptions {
  /**
   * Run the engine on a worker thread (default) or on this thread between requests. With an
   * embedding endpoint (`config.embeddings`) it always runs on the worker, which waits for it.
   */
  worker?: boolean;
  /** How long events wait before they are handed to the engine, in ms (default 20). */
  flushMs?: number;
  /** Events held while the engine is busy; beyond this, events are shed and counted. */
  maxQueue?: number;
}

/**
 * The detection engine as the gateway runs it: `push` queues an event in constant time and
 * returns; batches go to the engine off the request path (a worker thread by default); verdict
 * changes come back into a cache that `verdict` reads in constant time and are passed to the
 * listeners. With the default 20 ms batching a verdict is visible well within a second.
 */
export class LiveDetector {
  private readonly cache = new Map<string, AccountVerdict>();
  private readonly clusters = new Map<string, ClusterVerdict>();
  private readonly listeners: VerdictListener[] = [];
  private readonly pending = new Map<number, (m: FromWorker) => void>();
  private readonly rejects = new Map<number, (err: Error) => void>();
  private failure: Error | null = null;
  private closing = false;
  private readonly worker: Worker | null;
  private readonly engine: DetectionEngine | null;
  private queue: MoatEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private inFlight = 0;
  /** Events shed because the queue was full. */
  shed = 0;

  constructor(private readonly options: LiveOptions = {}) {
    if (options.worker === false && !options.config?.embeddings) {
      this.worker = null;
      this.engine = new DetectionEngine(options);
      this.engine.onVerdict((v) => this.apply(v));
      return;
    }
    this.engine = null;
    this.worker = new Worker(new URL('./live-worker.js', import.meta.url), {
      workerData: { config: options.config },
    });
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`detector worker exited (${code})`)));
    this.worker.unref();
  }

  /** Queues one event for the engine; never blocks and never throws on a full queue. */
  push(event: MoatEvent): void {
    if (this.queue.length + this.inFlight >= (this.options.maxQueue ?? 100_000)) {
      this.shed++;
      if (this.shed % 1000 === 1) log.warn({ shed: this.shed }, 'detector queue full, shedding');
      return;
    }
    this.queue.push(event);
    this.timer ??= setTimeout(() => this.drain(), this.options.flushMs ?? 20);
  }

  /** The cached verdict of an account, in constant time; undefined while none was reached. */
  verdict(account: string): AccountVerdict | undefined {
    return this.cache.get(account);
  }

  /** The cached verdict of a cluster by id. */
  clusterVerdict(id: string): ClusterVerdict | undefined {
    return this.clusters.get(id);
  }

  /** Registers a listener for verdict changes of accounts and clusters. */
  onVerdict(listener: VerdictListener): void {
    this.listeners.push(listener);
  }

  /** Resolves once every event pushed so far is ingested and its verdicts are cached. */
  async flush(): Promise<void> {
    this.drain();
    if (!this.worker) return;
    await this.request({ type: 'flush', id: ++this.seq });
  }

  /** The `moat.report.v1` view of everything ingested so far. */
  async report(): Promise<Report> {
    await this.flush();
    if (this.engine) return this.engine.report();
    const m = await this.request({ type: 'report', id: ++this.seq });
    return (m as { report: Report }).report;
  }

  /** Ingests what is queued and stops the worker. */
  async close(): Promise<void> {
    await this.flush();
    this.closing = true;
    await this.worker?.terminate();
  }

  private drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    if (this.engine) {
      for (const e of batch) this.engine.ingest(e);
      return;
    }
    this.inFlight += batch.length;
    (this.worker as Worker).postMessage({ type: 'events', events: batch } satisfies ToWorker);
    this.inFlightDone(batch.length);
  }

  private inFlightDone(n: number): void {
    this.request({ type: 'flush', id: ++this.seq }).then(
      () => (this.inFlight -= n),
      () => undefined,
    );
  }

  private request(m: ToWorker & { id: number }): Promise<FromWorker> {
    const worker = this.worker as Worker;
    if (this.failure) return Promise.reject(this.failure);
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(m.id, resolve);
      this.rejects.set(m.id, reject);
      worker.postMessage(m);
    });
  }

  /** The worker is gone: every waiting request fails with the cause instead of hanging. */
  private fail(err: Error): void {
    if (this.closing) return;
    this.failure ??= err;
    log.error({ err }, 'detector worker failed');
    for (const reject of this.rejects.values()) reject(err);
    this.pending.clear();
    this.rejects.clear();
  }

  private receive(m: FromWorker): void {
    if (m.type === 'verdicts') {
      for (const v of m.verdicts) this.apply(v);
      return;
    }
    if (m.type === 'evicted') {
      for (const a of m.accounts) this.options.onEvict?.(a);
      return;
    }
    const resolve = this.pending.get(m.id);
    this.pending.delete(m.id);
    this.rejects.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    resolve?.(m);
  }

  private apply(v: AccountVerdict | ClusterVerdict): void {
    if ('account' in v) this.cache.set(v.account, v);
    else this.clusters.set(v.id, v);
    for (const l of this.listeners) l(v);
  }
}

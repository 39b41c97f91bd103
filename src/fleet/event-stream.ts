import type { Redis } from 'ioredis';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import { redisReady } from './redis.js';

/** The Redis key of the fleet's event stream. */
export const streamKey = (prefix: string) => `${prefix}:events`;

/** Where the detector replica keeps the id of the last stream entry it read. */
export const cursorKey = (prefix: string) => `${prefix}:events:cursor`;
/** Set by the reading detector about once a second, expiring after `DETECTOR_TTL_MS`. */
export const detectorKey = (prefix: string) => `${prefix}:events:detector`;
export const DETECTOR_TTL_MS = 5000;

/** Options of the publisher. */
export interface PublisherOptions {
  prefix: string;
  /** Approximate length the stream is trimmed to (`XADD MAXLEN ~`). */
  maxLen: number;
  /** Longest an event waits before its batch is sent, in ms (default 50). */
  batchMs?: number;
  /** A batch this large is sent at once (default 500). */
  batchSize?: number;
  /** Takes the events this replica cannot publish, so they are still watched. */
  fallback: (event: MoatEvent) => void;
}

/**
 * Appends the events one replica served to the fleet's Redis stream, in pipelined batches off
 * the request path. While Redis is unreachable, events go to `fallback` (this replica's own
 * detector) instead; a batch whose XADD fails goes there too, and is not sent again.
 */
export class EventPublisher {
  private readonly key: string;
  private batch: MoatEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  /** Events appended to the stream. */
  published = 0;
  /** Events that went to the fallback because Redis was unreachable. */
  unpublished = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: PublisherOptions,
  ) {
    this.key = streamKey(options.prefix);
  }

  /** True while events go to the stream; false while they go to the local fallback. */
  get shared(): boolean {
    return !this.failing && this.redis.status === 'ready';
  }

  /** Queues one event for the stream; never blocks and never throws. */
  push(event: MoatEvent): void {
    if (this.redis.status !== 'ready') {
      this.setFailing(true, 'redis not connected');
      this.local([event]);
      return;
    }
    this.batch.push(event);
    if (this.batch.length >= (this.options.batchSize ?? 500)) this.send();
    else this.timer ??= setTimeout(() => this.send(), this.options.batchMs ?? 50);
  }

  /** Sends what is queued and waits for Redis to answer. */
  async flush(): Promise<void> {
    await this.send();
  }

  private send(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return Promise.resolve();

    const pipeline = this.redis.pipeline();
    const maxLen = String(this.options.maxLen);
    for (const e of batch)
      pipeline.xadd(this.key, 'MAXLEN', '~', maxLen, '*', 'e', JSON.stringify(e));
    return pipeline.exec().then(
      (results) => {
        const failed = batch.filter((_, i) => !results || results[i]?.[0]);
        this.published += batch.length - failed.length;
        this.setFailing(failed.length > 0, failed.length ? 'xadd failed' : '');
        this.local(failed);
      },
      (err: Error) => {
        this.setFailing(true, err.message);
        this.local(batch);
      },
    );
  }

  private local(events: MoatEvent[]): void {
    this.unpublished += events.length;
    for (const e of events) this.options.fallback(e);
  }

  private setFailing(failing: boolean, why: string): void {
    if (failing === this.failing) return;
    this.failing = failing;
    if (failing) log.warn({ err: why }, 'event stream unreachable, detecting locally');
    else log.info({}, 'event stream back, publishing events');
  }
}

/** Options of the consumer. */
export interface ConsumerOptions {
  prefix: string;
  /** Entries read per call (default 1000). */
  count?: number;
  /** How long one XREAD waits for new entries, in ms (default 1000). */
  blockMs?: number;
}

/**
 * Reads the fleet's event stream for the detector replica, from the cursor stored in Redis,
 * so a restarted detector resumes where it stopped (as far as the stream still holds). The
 * cursor moves once `onEvents` has resolved for a batch. The connection must be its own, with
 * a command timeout above `blockMs`.
 */
export class EventConsumer {
  private stopped = false;
  private wakeOnStop: () => void = () => {};
  private readonly stopping = new Promise<void>((r) => (this.wakeOnStop = r));
  private loop: Promise<void> | null = null;
  private down = false;
  private beatAt = 0;
  /** Events read from the stream since start. */
  read = 0;
  /** Entries that could not be parsed and were skipped. */
  unreadable = 0;

  constructor(
    private readonly redis: Redis,
    private readonly onEvents: (events: MoatEvent[]) => void | Promise<void>,
    private readonly options: ConsumerOptions,
  ) {}

  /** Starts reading in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading; the stored cursor stays for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeOnStop();
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const key = streamKey(this.options.prefix);
    let cursor: string | null = null;
    while (!this.stopped) {
      try {
        if (this.redis.status !== 'ready') {
          await Promise.race([redisReady(this.redis, 5000), this.stopping]);
          if (this.stopped) break;
        }
        cursor ??= (await this.redis.get(cursorKey(this.options.prefix))) ?? '0';
        const next = await this.readOnce(key, cursor);
        if (next !== cursor) {
          await this.redis.set(cursorKey(this.options.prefix), next);
          cursor = next;
        }
        this.setDown(false, '');
        // Tells the publishing replicas that a detector reads the stream.
        if (Date.now() - this.beatAt >= 1000) {
          await this.redis.set(detectorKey(this.options.prefix), '1', 'PX', DETECTOR_TTL_MS);
          this.beatAt = Date.now();
        }
      } catch (err) {
        if (this.stopped) break;
        this.setDown(true, (err as Error).message);
        await Promise.race([new Promise((r) => setTimeout(r, 200)), this.stopping]);
      }
    }
  }

  /** One XREAD from `cursor`; hands the events on and returns the id of the last entry. */
  private async readOnce(key: string, cursor: string): Promise<string> {
    const count = String(this.options.count ?? 1000);
    const block = String(this.options.blockMs ?? 1000);
    const reply = await this.redis.xread('COUNT', count, 'BLOCK', block, 'STREAMS', key, cursor);
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) return cursor;

    const events: MoatEvent[] = [];
    for (const [, fields] of entries) {
      const text = fields[fields.indexOf('e') + 1];
      try {
        events.push(JSON.parse(text) as MoatEvent);
      } catch {
        this.unreadable++;
      }
    }
    await this.onEvents(events);
    this.read += events.length;
    return entries[entries.length - 1][0];
  }

  private setDown(down: boolean, why: string): void {
    if (down === this.down) return;
    this.down = down;
    if (down) log.warn({ err: why }, 'event stream read failed, retrying');
    else log.info({}, 'event stream read resumed');
  }
}

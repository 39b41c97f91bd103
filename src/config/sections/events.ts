import { int, mapping, oneOf, onlyKeys, str } from '../check.js';
import type { Section } from '../section.js';

/** How events leave the request path. */
export interface EventsConfig {
  /** Capacity of the in-process queue between the request path and the consumers. */
  queueSize: number;
  /** When the queue is full: `spill` to a file under MOAT_HOME, or `drop` and count. */
  onFull: 'spill' | 'drop';
  /** Events written to the store per transaction. */
  batchSize: number;
  /** Longest time an event waits in the queue before a batch is written. */
  flushIntervalMs: number;
  /** Also append every event as a JSON line to this file. */
  out?: string;
  /** Cap on the response text kept per event (bytes of UTF-16 text, approximately). */
  maxTextBytes: number;
}

/** The `events` section. */
export const eventsSection: Section<EventsConfig> = {
  name: 'events',
  parse(raw, path) {
    const m = mapping(raw, path);
    onlyKeys(m, path, [
      'queue_size',
      'on_full',
      'batch_size',
      'flush_interval_ms',
      'out',
      'max_text_bytes',
    ]);
    return {
      queueSize: int(m, 'queue_size', path, 50_000, 10),
      onFull: oneOf(m, 'on_full', path, ['spill', 'drop'], 'spill'),
      batchSize: int(m, 'batch_size', path, 200, 1, 100_000),
      flushIntervalMs: int(m, 'flush_interval_ms', path, 100, 1, 60_000),
      out: str(m, 'out', path),
      maxTextBytes: int(m, 'max_text_bytes', path, 64 * 1024, 0),
    };
  },
};

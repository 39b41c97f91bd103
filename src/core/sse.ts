import { log } from './log.js';
import type { SseRewriter } from './marker.js';

type Obj = Record<string, unknown>;

/** One server-sent event as parsed: its raw text, its non-data lines, its data as JSON. */
export interface SseEvent {
  raw: string;
  /** The blank-line separator that ended it ('' for a trailing event without one). */
  sep: string;
  fields: string[];
  /** The data lines parsed as a JSON object; null when they are not one. */
  data: Obj | null;
}

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;
/** An event larger than this is passed on unparsed. */
const MAX_PENDING = 4 * 1024 * 1024;

/** Parses one raw event (without its separator). */
export function parseSseEvent(raw: string, sep: string): SseEvent {
  const fields: string[] = [];
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    else fields.push(line);
  }
  let json: Obj | null = null;
  try {
    const v: unknown = JSON.parse(data.join('\n'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) json = v as Obj;
  } catch {
    json = null;
  }
  return { raw, sep, fields, data: json };
}

/** Writes an event with the given non-data lines and JSON data. */
export function writeSseEvent(fields: string[], data: unknown): string {
  return [...fields, `data: ${JSON.stringify(data)}`].join('\n') + '\n\n';
}

/**
 * Cuts an SSE text stream into whole events and hands each to `event`; only an incomplete
 * trailing event is held back, so buffering stays bounded by one event (and by MAX_PENDING,
 * past which the held text is passed on as it is). Subclasses decide what each event becomes.
 */
export abstract class SseCutter implements SseRewriter {
  private pending = '';

  /** The text to send in place of one complete event. */
  protected abstract event(raw: string, sep: string): string;

  /** The stream ended: any text still held by the subclass. */
  protected abstract finish(): string;

  push(chunk: string): string {
    this.pending += chunk;
    let out = '';
    for (;;) {
      const m = BOUNDARY.exec(this.pending);
      if (!m) break;
      const raw = this.pending.slice(0, m.index);
      this.pending = this.pending.slice(m.index + m[0].length);
      out += this.event(raw, m[0]);
    }

    if (this.pending.length > MAX_PENDING) {
      log.warn({ bytes: this.pending.length }, 'sse event too large to inspect, passed on');
      out += this.pending;
      this.pending = '';
    }
    return out;
  }

  end(): string {
    const tail = this.pending ? this.event(this.pending, '') : '';
    this.pending = '';
    return tail + this.finish();
  }
}

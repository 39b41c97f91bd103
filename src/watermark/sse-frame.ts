import { log } from '../core/log.js';
import type { SseRewriter } from '../core/marker.js';

type Obj = Record<string, unknown>;

/** One SSE event: its raw text, its non-data lines, and its data parsed as a JSON object. */
export interface Frame {
  raw: string;
  /** The blank-line separator that ended it ('' for a trailing event without one). */
  sep: string;
  fields: string[];
  data: Obj | null;
}

/** What the watermark does with each event: the text to send in its place. */
export interface FrameHandler {
  /** Cheap test on the raw text: false sends the event on byte for byte. */
  wants(raw: string): boolean;
  handle(frame: Frame): string;
  /** The stream ended: any text still held, as complete events. */
  finish(): string;
}

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;
/** An event larger than this is passed on unparsed (and unmarked). */
const MAX_PENDING = 4 * 1024 * 1024;

/** Parses one raw event. */
export function parseFrame(raw: string, sep: string): Frame {
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
export function writeFrame(fields: string[], data: unknown): string {
  return [...fields, `data: ${JSON.stringify(data)}`].join('\n') + '\n\n';
}

/**
 * Cuts an SSE stream into events and hands the ones the handler wants to it; all others go on
 * byte for byte. Only an incomplete trailing event is held back.
 */
export class FrameSplitter implements SseRewriter {
  private pending = '';

  constructor(private readonly handler: FrameHandler) {}

  push(chunk: string): string {
    this.pending += chunk;
    let out = '';
    for (;;) {
      const m = BOUNDARY.exec(this.pending);
      if (!m) break;
      const raw = this.pending.slice(0, m.index);
      this.pending = this.pending.slice(m.index + m[0].length);
      out += this.one(raw, m[0]);
    }

    if (this.pending.length > MAX_PENDING) {
      log.warn({ bytes: this.pending.length }, 'sse event too large to watermark, passed on');
      out += this.pending;
      this.pending = '';
    }
    return out;
  }

  end(): string {
    const tail = this.pending ? this.one(this.pending, '') : '';
    this.pending = '';
    return tail + this.handler.finish();
  }

  private one(raw: string, sep: string): string {
    if (!this.handler.wants(raw)) return raw + sep;
    return this.handler.handle(parseFrame(raw, sep));
  }
}

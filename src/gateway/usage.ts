import type { Route } from '../core/event.js';
import { parseSseEvent } from '../core/sse.js';
import type { ParsedRequest } from './request.js';

/**
 * Streamed OpenAI chat and completion calls report token usage only when the caller sets
 * `stream_options.include_usage`. Moat asks for it on every such call, so limits and events use
 * the backend's count, and takes the usage back out of the stream for a caller that did not ask.
 */

/** Whether Moat asks the backend for usage on this call (a streamed call whose caller did not). */
export function needsUsage(route: Route, parsed: ParsedRequest): boolean {
  if (route !== 'chat.completions' && route !== 'completions') return false;
  if (!parsed.stream) return false;
  const opts = parsed.body.stream_options as { include_usage?: unknown } | null | undefined;
  return opts?.include_usage !== true;
}

const ASK = Buffer.from('"stream_options":{"include_usage":true},');

/**
 * The body to forward with `stream_options.include_usage` set. Without `stream_options` the key
 * is spliced in after the opening brace, so a large prompt is not encoded again; otherwise the
 * caller's other stream options are kept and the body is re-encoded.
 */
export function askUsage(parsed: ParsedRequest, body: Buffer): Buffer {
  const b = parsed.body;
  if (!('stream_options' in b)) {
    // The body parsed as a JSON object with a model, so its first `{` opens it and a key follows.
    const at = body.indexOf(0x7b) + 1;
    return Buffer.concat([body.subarray(0, at), ASK, body.subarray(at)]);
  }
  b.stream_options = { ...(b.stream_options as object | null), include_usage: true };
  return Buffer.from(JSON.stringify(b));
}

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;
const EMPTY = Buffer.alloc(0);
/** Past this, a held incomplete event is passed on unchecked. */
const MAX_HELD = 4 * 1024 * 1024;
/** `"usage": null` as a chunk's key, with the comma that joins it to a neighbour. */
const NULL_USAGE = /,\s*"usage":\s*null(?=\s*[,}])|"usage":\s*null\s*,\s*/;

const KEY = '"usage":';
const KEY_BYTES = Buffer.from(KEY);

function skipSpace(buf: Buffer, from: number, step: 1 | -1): number {
  let i = from;
  for (let c = buf[i]; c === 32 || c === 9 || c === 10 || c === 13; c = buf[i]) i += step;
  return i;
}

/**
 * The byte range to remove for a `"usage": null` key at `k`, with the comma that joins it to a
 * neighbour; undefined when the value is not null or the key stands alone.
 */
function nullUsage(buf: Buffer, k: number): [number, number] | undefined {
  const v = skipSpace(buf, k + KEY.length, 1);
  if (buf.toString('latin1', v, v + 4) !== 'null') return undefined;
  const after = skipSpace(buf, v + 4, 1);
  if (buf[after] === 0x2c) return [k, skipSpace(buf, after + 1, 1)];
  if (buf[after] !== 0x7d) return undefined;
  const before = skipSpace(buf, k - 1, -1);
  return buf[before] === 0x2c ? [before, v + 4] : undefined;
}

/** End of the last complete SSE event in `buf`, 0 when there is none. */
function lastBoundary(buf: Buffer): number {
  const n = buf.length;
  if (n >= 2 && buf[n - 1] === 10 && buf[n - 2] === 10) return n;
  const lf = buf.lastIndexOf('\n\n');
  const cr = buf.lastIndexOf('\r\r');
  const crlf = buf.lastIndexOf('\r\n\r\n');
  return Math.max(lf === -1 ? 0 : lf + 2, cr === -1 ? 0 : cr + 2, crlf === -1 ? 0 : crlf + 4);
}

/**
 * Takes the usage Moat asked for out of an OpenAI chat or completion stream: drops the usage
 * chunk (`choices: []` with a `usage` object) and the `"usage": null` that OpenAI then adds to
 * every other chunk, so the caller sees the stream it would have had. Works on the backend's
 * bytes, before any marker: whole events go on as they came and only an incomplete trailing
 * event is held. A `"usage":` key (never inside a JSON string, where quotes are escaped) with a
 * null value is cut out of the bytes; only text with any other usage is decoded and parsed.
 */
export class UsageChunkFilter {
  private held: Buffer = EMPTY;

  /** Takes the next chunk from upstream; returns the bytes to send on now. */
  push(chunk: Buffer): Buffer {
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    let cut = lastBoundary(data);
    if (data.length - cut > MAX_HELD) cut = data.length;
    this.held = cut < data.length ? Buffer.from(data.subarray(cut)) : EMPTY;
    return this.check(cut < data.length ? data.subarray(0, cut) : data);
  }

  /** The stream ended: the held tail, checked like the rest. */
  end(): Buffer {
    const tail = this.held;
    this.held = EMPTY;
    return this.check(tail);
  }

  private check(events: Buffer): Buffer {
    let k = events.indexOf(KEY_BYTES);
    if (k === -1) return events;

    // The common case, `"usage":null` on each chunk, is cut out of the bytes directly.
    const parts: Buffer[] = [];
    let from = 0;
    while (k !== -1) {
      const cut = nullUsage(events, k);
      if (!cut) return this.split(events);
      parts.push(events.subarray(from, cut[0]));
      from = cut[1];
      k = events.indexOf(KEY_BYTES, from);
    }
    parts.push(events.subarray(from));
    return Buffer.concat(parts);
  }

  /** Cuts the text into events and checks each one that holds a usage key. */
  private split(events: Buffer): Buffer {
    let rest = events.toString('utf8');
    let out = '';
    for (let m = BOUNDARY.exec(rest); m; m = BOUNDARY.exec(rest)) {
      out += this.event(rest.slice(0, m.index), m[0]);
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest) out += this.event(rest, '');
    return Buffer.from(out);
  }

  private event(raw: string, sep: string): string {
    if (!raw.includes(KEY)) return raw + sep;
    if (NULL_USAGE.test(raw)) return raw.replace(NULL_USAGE, '') + sep;

    const data = parseSseEvent(raw, sep).data;
    const usage = data?.usage;
    const choices = data?.choices;
    const usageOnly = Array.isArray(choices) && choices.length === 0;
    if (usageOnly && typeof usage === 'object' && usage !== null) return '';
    return raw + sep;
  }
}

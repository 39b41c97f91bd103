import { StringDecoder } from 'node:string_decoder';
import type { Route } from '../core/event.js';
import { OTHER, valueAfter } from './sse-scan.js';

/** What the event needs from a response: text (bounded), finish reason and token usage. */
export interface OutputSummary {
  text: string;
  /** Characters of output seen, including any beyond the text cap. */
  chars: number;
  finishReason?: string;
  inputTokens?: number;
  outputTokens?: number;
}

type Obj = Record<string, any>; // eslint-style escape hatch: response JSON is read defensively

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads usage in any route's shape: OpenAI prompt/completion, Responses and Anthropic in/out. */
function readUsage(out: OutputSummary, u: Obj | undefined): void {
  if (!u || typeof u !== 'object') return;
  const input = num(u.prompt_tokens) ?? num(u.input_tokens);
  const output = num(u.completion_tokens) ?? num(u.output_tokens);
  if (input !== undefined) out.inputTokens = input;
  if (output !== undefined) out.outputTokens = output;
}

/** Summarises a complete (non-streamed) JSON response body of a route. */
export function summariseJson(route: Route, body: Obj, maxChars: number): OutputSummary {
  const out: OutputSummary = { text: '', chars: 0 };
  let text = '';
  if (route === 'chat.completions' || route === 'completions') {
    const c = Array.isArray(body.choices) ? body.choices[0] : undefined;
    text = (route === 'completions' ? c?.text : c?.message?.content) ?? '';
    out.finishReason = c?.finish_reason ?? undefined;
  } else if (route === 'messages') {
    for (const part of Array.isArray(body.content) ? body.content : []) {
      if (part?.type === 'text' && typeof part.text === 'string') text += part.text;
    }
    out.finishReason = body.stop_reason ?? undefined;
  } else if (route === 'responses') {
    text = responsesText(body);
    out.finishReason = body.status ?? undefined;
  }
  if (typeof text !== 'string') text = '';
  out.chars = text.length;
  out.text = text.length > maxChars ? text.slice(0, maxChars) : text;
  readUsage(out, body.usage);
  return out;
}

function responsesText(body: Obj): string {
  if (typeof body.output_text === 'string') return body.output_text;
  let text = '';
  for (const item of Array.isArray(body.output) ? body.output : []) {
    for (const part of Array.isArray(item?.content) ? item.content : []) {
      if (part?.type === 'output_text' && typeof part.text === 'string') text += part.text;
    }
  }
  return text;
}

const MAX_LINE = 1 << 20;

/**
 * Follows an SSE stream as it is relayed, without changing it: splits it into lines, parses each
 * `data:` payload and collects the text deltas (up to `maxChars`), the finish reason and usage.
 * A line longer than 1 MiB without a newline is skipped rather than held.
 */
export class SseTap {
  readonly summary: OutputSummary = { text: '', chars: 0 };
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly route: Route,
    private readonly maxChars: number,
  ) {}

  /** Takes the next raw chunk from upstream. */
  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      this.line(text, start, nl);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.partial = text.length - start > MAX_LINE ? '' : text.slice(start);
  }

  /** The stream ended: handles a last line without a newline. */
  end(): OutputSummary {
    const rest = this.partial + this.decoder.end();
    if (rest) this.line(rest, 0, rest.length);
    this.partial = '';
    return this.summary;
  }

  private line(text: string, start: number, end: number): void {
    if (!text.startsWith('data:', start)) return;
    let from = start + 5;
    if (text.charCodeAt(from) === 32) from++;
    const stop = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop - from === 6 && text.startsWith('[DONE]', from)) return;
    const payload = text.slice(from, stop);
    if (this.scanned(payload)) return;
    let data: Obj;
    try {
      data = JSON.parse(payload);
    } catch {
      return;
    }
    if (data && typeof data === 'object') this.event(data);
  }

  /**
   * The common chat or completion chunk (a text delta, maybe a finish reason, no usage) read
   * without a full parse, which would cost more than the rest of the relay; false when the chunk
   * must be parsed whole.
   */
  private scanned(payload: string): boolean {
    const chat = this.route === 'chat.completions';
    if (!chat && this.route !== 'completions') return false;
    const usage = valueAfter(payload, '"usage":');
    if (usage !== undefined && usage !== null) return false;
    const text = valueAfter(payload, chat ? '"content":' : '"text":');
    const finish = valueAfter(payload, '"finish_reason":');
    if (text === OTHER || finish === OTHER) return false;

    this.add(text);
    if (finish) this.summary.finishReason = finish;
    return true;
  }

  private event(d: Obj): void {
    const s = this.summary;
    switch (this.route) {
      case 'chat.completions':
      case 'completions': {
        const c = Array.isArray(d.choices) ? d.choices[0] : undefined;
        this.add(this.route === 'completions' ? c?.text : c?.delta?.content);
        if (c?.finish_reason) s.finishReason = c.finish_reason;
        readUsage(s, d.usage);
        return;
      }
      case 'messages':
        if (d.type === 'content_block_delta') this.add(d.delta?.text);
        else if (d.type === 'message_start') readUsage(s, d.message?.usage);
        else if (d.type === 'message_delta') {
          if (d.delta?.stop_reason) s.finishReason = d.delta.stop_reason;
          const out = num(d.usage?.output_tokens);
          if (out !== undefined) s.outputTokens = out;
          const inp = num(d.usage?.input_tokens);
          if (inp !== undefined) s.inputTokens = inp;
        }
        return;
      case 'responses':
        if (d.type === 'response.output_text.delta') this.add(d.delta);
        else if (d.type === 'response.completed' || d.type === 'response.incomplete') {
          s.finishReason = d.response?.status;
          readUsage(s, d.response?.usage);
        }
        return;
      default:
        return;
    }
  }

  private add(piece: unknown): void {
    if (typeof piece !== 'string' || piece === '') return;
    const s = this.summary;
    s.chars += piece.length;
    const room = this.maxChars - s.text.length;
    if (room > 0) s.text += piece.length > room ? piece.slice(0, room) : piece;
  }
}

import { log } from '../core/log.js';
import type { SseRewriter } from '../core/marker.js';
import { responsesItem, summariseReasoning, type ReasoningHandling } from './reasoning.js';

type Obj = Record<string, unknown>;

/** One SSE event as parsed: its non-data lines and its data as JSON (null if not JSON). */
export interface SseEvent {
  raw: string;
  fields: string[];
  data: Obj | null;
}

/** Rewrites parsed SSE events: returns the events to send instead (none drops it). */
export interface EventTransform {
  /** A cheap test on the raw text: false passes the event on untouched, unparsed. */
  wants(raw: string): boolean;
  rewrite(event: SseEvent): Obj[] | 'keep';
  end?(): Obj[];
}

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;
const MAX_PENDING = 4 * 1024 * 1024;

function parse(raw: string): SseEvent {
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
  return { raw, fields, data: json };
}

function serialise(fields: string[], data: Obj): string {
  return [...fields, `data: ${JSON.stringify(data)}`].join('\n') + '\n\n';
}

/**
 * Cuts an SSE byte stream into events and hands each to a transform; events the transform
 * does not want are passed on byte for byte, so most of a stream is never re-encoded. Only an
 * incomplete trailing event is held back.
 */
export class SseSplitter implements SseRewriter {
  private pending = '';
  private lastFields: string[] = [];

  constructor(private readonly transform: EventTransform) {}

  push(chunk: string): string {
    this.pending += chunk;
    let out = '';
    for (;;) {
      const m = BOUNDARY.exec(this.pending);
      if (!m) break;
      const raw = this.pending.slice(0, m.index);
      const sep = m[0];
      this.pending = this.pending.slice(m.index + sep.length);
      out += this.one(raw, sep);
    }

    if (this.pending.length > MAX_PENDING) {
      log.warn({ bytes: this.pending.length }, 'sse event too large to inspect, passed on');
      out += this.pending;
      this.pending = '';
    }
    return out;
  }

  end(): string {
    const tail = this.pending ? this.one(this.pending, '') : '';
    this.pending = '';
    const extra = this.transform.end?.() ?? [];
    return tail + extra.map((d) => serialise(this.lastFields, d)).join('');
  }

  private one(raw: string, sep: string): string {
    if (raw.trim() === '' || !this.transform.wants(raw)) return raw + sep;

    const event = parse(raw);
    if (!event.data) return raw + sep;
    const result = this.transform.rewrite(event);
    if (result === 'keep') return raw + sep;
    this.lastFields = event.fields.filter((f) => !f.startsWith('event:'));
    return result.map((d) => serialise(event.fields, d)).join('');
  }
}

/** OpenAI chat and completions chunks: `delta.reasoning_content` / `delta.reasoning`. */
export class ChatSse implements EventTransform {
  private heads = new Map<number, { head: string; chars: number }>();

  constructor(private readonly mode: ReasoningHandling) {}

  wants(raw: string): boolean {
    return raw.includes('"reasoning') || this.heads.size > 0;
  }

  rewrite(event: SseEvent): Obj[] | 'keep' {
    const choices = event.data?.choices;
    if (!Array.isArray(choices)) return 'keep';

    for (const choice of choices as Obj[]) {
      const delta = (choice.delta ?? {}) as Obj;
      const index = Number(choice.index ?? 0);
      let reasoned = false;
      for (const field of ['reasoning_content', 'reasoning', 'reasoning_details']) {
        if (delta[field] === undefined) continue;
        reasoned = true;
        if (typeof delta[field] === 'string') this.note(index, delta[field] as string);
        delete delta[field];
      }
      if (!reasoned && this.mode === 'summarise') this.flushInto(index, delta);
    }
    return [event.data!];
  }

  private note(index: number, text: string): void {
    if (this.mode !== 'summarise') return;
    const h = this.heads.get(index) ?? { head: '', chars: 0 };
    if (h.head.length < 400) h.head += text.slice(0, 400 - h.head.length);
    h.chars += text.length;
    this.heads.set(index, h);
  }

  /** The reasoning phase of a choice ended: send its summary with this chunk. */
  private flushInto(index: number, delta: Obj): void {
    const h = this.heads.get(index);
    if (!h) return;
    delta.reasoning_content = summariseReasoning(h.head, h.chars);
    this.heads.delete(index);
  }
}

/** Anthropic messages: drops (or summarises) `thinking` blocks and renumbers the others. */
export class AnthropicSse implements EventTransform {
  private dropped = 0;
  private mapping = new Map<number, number | null>();
  private heads = new Map<number, { head: string; chars: number }>();

  constructor(private readonly mode: ReasoningHandling) {}

  wants(raw: string): boolean {
    return raw.includes('content_block_');
  }

  rewrite(event: SseEvent): Obj[] | 'keep' {
    const data = event.data!;
    if (typeof data.index !== 'number') return 'keep';
    const index = data.index;

    if (data.type === 'content_block_start') {
      const block = (data.content_block ?? {}) as Obj;
      const thinking = block.type === 'thinking' || block.type === 'redacted_thinking';
      if (thinking && (this.mode === 'strip' || block.type === 'redacted_thinking')) {
        this.mapping.set(index, null);
        this.dropped++;
        return [];
      }
      this.mapping.set(index, index - this.dropped);
      if (thinking) this.heads.set(index, { head: '', chars: 0 });
    }

    const target = this.mapping.has(index)
      ? (this.mapping.get(index) as number | null)
      : index - this.dropped;
    if (target === null) return [];
    data.index = target;

    const h = this.heads.get(index);
    if (h && data.type === 'content_block_delta') {
      const delta = (data.delta ?? {}) as Obj;
      if (typeof delta.thinking === 'string' && h.head.length < 400) {
        h.head += delta.thinking.slice(0, 400 - h.head.length);
      }
      if (typeof delta.thinking === 'string') h.chars += delta.thinking.length;
      return [];
    }
    if (h && data.type === 'content_block_stop') {
      this.heads.delete(index);
      const text = summariseReasoning(h.head, h.chars);
      const delta = { type: 'thinking_delta', thinking: text };
      return [{ type: 'content_block_delta', index: target, delta }, data];
    }
    return [data];
  }
}

/** OpenAI Responses API: drops reasoning items (or their raw text) and renumbers outputs. */
export class ResponsesSse implements EventTransform {
  private dropped = 0;
  private mapping = new Map<number, number | null>();

  constructor(private readonly mode: ReasoningHandling) {}

  wants(raw: string): boolean {
    return raw.includes('reasoning') || this.dropped > 0;
  }

  rewrite(event: SseEvent): Obj[] | 'keep' {
    const data = event.data!;
    const type = String(data.type ?? '');

    const response = data.response as Obj | undefined;
    if (response && Array.isArray(response.output)) {
      response.output = (response.output as Obj[]).filter((i) => responsesItem(i, this.mode));
    }
    if (type.startsWith('response.reasoning_text') || type.startsWith('response.reasoning.')) {
      return [];
    }
    if (this.mode === 'strip' && type.startsWith('response.reasoning')) return [];

    if (typeof data.output_index !== 'number') return [data];
    const index = data.output_index;
    const item = data.item as Obj | undefined;
    if (type === 'response.output_item.added') {
      const keep = !item || responsesItem(item, this.mode);
      this.mapping.set(index, keep ? index - this.dropped : null);
      if (!keep) this.dropped++;
    } else if (item) {
      responsesItem(item, this.mode);
    }

    const target = this.mapping.has(index)
      ? (this.mapping.get(index) as number | null)
      : index - this.dropped;
    if (target === null) return [];
    data.output_index = target;
    return [data];
  }
}

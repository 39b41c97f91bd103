import { parseSseEvent, SseCutter, writeSseEvent, type SseEvent } from '../core/sse.js';
import { responsesItem, summariseReasoning, type ReasoningHandling } from './reasoning.js';

type Obj = Record<string, unknown>;

export type { SseEvent };

/** Rewrites parsed SSE events: returns the events to send instead (none drops it). */
export interface EventTransform {
  /** A cheap test on the raw text: false passes the event on untouched, unparsed. */
  wants(raw: string): boolean;
  rewrite(event: SseEvent): Obj[] | 'keep';
  end?(): Obj[];
}

/**
 * Hands each SSE event to a transform; events the transform does not want are passed on byte
 * for byte, so most of a stream is never re-encoded.
 */
export class SseSplitter extends SseCutter {
  private lastFields: string[] = [];

  constructor(private readonly transform: EventTransform) {
    super();
  }

  protected finish(): string {
    const extra = this.transform.end?.() ?? [];
    return extra.map((d) => writeSseEvent(this.lastFields, d)).join('');
  }

  protected event(raw: string, sep: string): string {
    if (raw.trim() === '' || !this.transform.wants(raw)) return raw + sep;

    const event = parseSseEvent(raw, sep);
    if (!event.data) return raw + sep;
    const result = this.transform.rewrite(event);
    if (result === 'keep') return raw + sep;
    this.lastFields = event.fields.filter((f) => !f.startsWith('event:'));
    return result.map((d) => writeSseEvent(event.fields, d)).join('');
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

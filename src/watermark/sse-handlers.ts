import type { Route } from '../core/event.js';
import type { PhraseRewriter } from './rewriter.js';
import { writeFrame, type Frame, type FrameHandler } from './sse-frame.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One marking rewriter per text stream of a response (per choice, per content block). */
class Streams<K> {
  private readonly writers = new Map<K, PhraseRewriter>();
  /** Marked text sent so far, per stream, for the events that repeat the whole text. */
  readonly sent = new Map<K, string>();

  constructor(private readonly make: () => PhraseRewriter) {}

  push(key: K, text: string): string {
    let w = this.writers.get(key);
    if (!w) {
      w = this.make();
      this.writers.set(key, w);
    }
    const out = w.push(text);
    this.sent.set(key, (this.sent.get(key) ?? '') + out);
    return out;
  }

  /** Ends one stream; returns its held tail ('' when it was never opened or already ended). */
  end(key: K): string {
    const w = this.writers.get(key);
    if (!w) return '';
    this.writers.delete(key);
    const tail = w.end();
    this.sent.set(key, (this.sent.get(key) ?? '') + tail);
    return tail;
  }

  open(): K[] {
    return [...this.writers.keys()];
  }
}

const keep = (f: Frame): string => f.raw + f.sep;

/**
 * OpenAI chat.completions and completions chunks: marks `choices[].delta.content` (or
 * `choices[].text`) per choice. The held tail goes out in the choice's finish chunk, or in an
 * extra chunk before `[DONE]`. Tool-call deltas and every other field pass untouched.
 */
export function openAiChoices(route: Route, make: () => PhraseRewriter): FrameHandler {
  const streams = new Streams<number>(make);
  const last = new Map<number, Obj>();
  const chat = route === 'chat.completions';

  const flush = (): string =>
    streams
      .open()
      .map((i) => {
        const tail = streams.end(i);
        if (!tail) return '';
        const choice = chat
          ? { index: i, delta: { content: tail }, finish_reason: null }
          : { index: i, text: tail, finish_reason: null };
        return writeFrame([], { ...last.get(i), choices: [choice] });
      })
      .join('');

  return {
    wants: (raw) => raw.includes('"choices"') || raw.includes('[DONE]'),
    handle(f) {
      if (!f.data) return f.raw.includes('[DONE]') ? flush() + keep(f) : keep(f);
      const choices = Array.isArray(f.data.choices) ? f.data.choices : [];
      let changed = false;
      for (const c of choices) {
        if (!isObj(c)) continue;
        const i = typeof c.index === 'number' ? c.index : 0;
        const holder = chat ? c.delta : c;
        const field = chat ? 'content' : 'text';
        if (!isObj(holder)) continue;
        last.set(i, { ...f.data, choices: [] });

        const text = holder[field];
        if (typeof text === 'string') {
          const out = streams.push(i, text);
          if (out !== text) changed = true;
          holder[field] = out;
        }
        if (c.finish_reason) {
          const tail = streams.end(i);
          if (tail) {
            holder[field] = (typeof holder[field] === 'string' ? holder[field] : '') + tail;
            changed = true;
          }
        }
      }
      return changed ? writeFrame(f.fields, f.data) : keep(f);
    },
    finish: flush,
  };
}

const RESPONSES_TYPES = [
  'response.output_text.delta',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.completed',
  'response.incomplete',
];

/**
 * OpenAI responses stream: marks `response.output_text.delta` per (output, content) index and
 * puts the marked whole text into the events that repeat it (`.done`, `completed`).
 */
export function openAiResponses(make: () => PhraseRewriter): FrameHandler {
  const streams = new Streams<string>(make);

  const fill = (out: number, content: unknown[]): void => {
    content.forEach((part, j) => {
      const text = streams.sent.get(`${out}:${j}`);
      if (isObj(part) && part.type === 'output_text' && text !== undefined) part.text = text;
    });
  };

  // Each extra delta takes the sequence number of the event it precedes; every later event's
  // number moves up by the extras sent so far, so the numbers stay unique and in order.
  let shift = 0;

  return {
    wants: (raw) =>
      RESPONSES_TYPES.some((t) => raw.includes(t)) ||
      (shift > 0 && raw.includes('"sequence_number"')),
    handle(f) {
      const d = f.data;
      if (!d) return keep(f);
      const renumbered = shift > 0 && typeof d.sequence_number === 'number';
      if (renumbered) d.sequence_number = (d.sequence_number as number) + shift;
      const same = (): string => (renumbered ? writeFrame(f.fields, d) : keep(f));
      const key = `${d.output_index}:${d.content_index}`;
      switch (d.type) {
        case 'response.output_text.delta': {
          if (typeof d.delta !== 'string') return same();
          const out = streams.push(key, d.delta);
          if (out === d.delta) return same();
          return writeFrame(f.fields, { ...d, delta: out });
        }
        case 'response.output_text.done': {
          const tail = streams.end(key);
          let extra = '';
          if (tail) {
            extra = writeFrame(['event: response.output_text.delta'], {
              type: 'response.output_text.delta',
              sequence_number: d.sequence_number,
              item_id: d.item_id,
              output_index: d.output_index,
              content_index: d.content_index,
              delta: tail,
            });
            if (typeof d.sequence_number === 'number') {
              shift++;
              d.sequence_number++;
            }
          }
          const text = streams.sent.get(key);
          if (text === undefined) return extra + same();
          return extra + writeFrame(f.fields, { ...d, text });
        }
        case 'response.content_part.done':
          if (isObj(d.part)) fill(Number(d.output_index), [d.part]);
          return writeFrame(f.fields, d);
        case 'response.output_item.done':
          if (isObj(d.item) && Array.isArray(d.item.content)) {
            fill(Number(d.output_index), d.item.content);
          }
          return writeFrame(f.fields, d);
        default:
          if (isObj(d.response) && Array.isArray(d.response.output)) {
            d.response.output.forEach((item, i) => {
              if (isObj(item) && Array.isArray(item.content)) fill(i, item.content);
            });
          }
          return writeFrame(f.fields, d);
      }
    },
    finish: () => '',
  };
}

/**
 * Anthropic messages stream: marks `text_delta` content block deltas per block index; the held
 * tail goes out as one more `content_block_delta` just before the block's `content_block_stop`.
 * `input_json_delta` (tool input), thinking and every other event pass byte for byte.
 */
export function anthropicBlocks(make: () => PhraseRewriter): FrameHandler {
  const streams = new Streams<number>(make);
  const tailEvent = (index: number): string => {
    const text = streams.end(index);
    if (!text) return '';
    const data = { type: 'content_block_delta', index, delta: { type: 'text_delta', text } };
    return writeFrame(['event: content_block_delta'], data);
  };

  return {
    wants: (raw) =>
      raw.includes('text_delta') ||
      raw.includes('content_block_stop') ||
      raw.includes('message_stop'),
    handle(f) {
      const d = f.data;
      if (!d) return keep(f);
      const index = typeof d.index === 'number' ? d.index : 0;
      if (d.type === 'content_block_stop') return tailEvent(index) + keep(f);
      if (d.type === 'message_stop') return streams.open().map(tailEvent).join('') + keep(f);
      if (d.type !== 'content_block_delta' || !isObj(d.delta)) return keep(f);
      if (d.delta.type !== 'text_delta' || typeof d.delta.text !== 'string') return keep(f);

      const out = streams.push(index, d.delta.text);
      if (out === d.delta.text) return keep(f);
      return writeFrame(f.fields, { ...d, delta: { ...d.delta, text: out } });
    },
    finish: () => streams.open().map(tailEvent).join(''),
  };
}

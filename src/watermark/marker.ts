import type { Route } from '../core/event.js';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { ApiShape, ResponseMarker, SseRewriter } from '../core/marker.js';
import type { WatermarkConfig } from './config.js';
import { markText, textMarker, type EmbedOptions } from './embed.js';
import { Keyring } from './keyring.js';
import { FrameSplitter } from './sse-frame.js';
import { anthropicBlocks, openAiChoices, openAiResponses } from './sse-handlers.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The gateway's watermark: a ResponseMarker plus the keyring it marks with. */
export interface Watermarker extends ResponseMarker {
  keyring: Keyring;
  /** Marks one plain text (what the JSON and SSE paths do to each text field). */
  markText(text: string): string;
}

/** Marks every string `field` of the objects in `list` that pass `pick`. */
function markEach(
  list: unknown,
  field: string,
  mark: (t: string) => string,
  pick?: (o: Obj) => boolean,
): void {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (!isObj(item) || (pick && !pick(item))) continue;
    if (typeof item[field] === 'string') item[field] = mark(item[field] as string);
  }
}

function markBody(api: ApiShape, route: Route, body: unknown, mark: (t: string) => string): void {
  if (!isObj(body)) return;
  if (api === 'anthropic') {
    markEach(body.content, 'text', mark, (b) => b.type === 'text');
    return;
  }
  if (route === 'chat.completions' && Array.isArray(body.choices)) {
    for (const c of body.choices)
      if (isObj(c) && isObj(c.message)) markEach([c.message], 'content', mark);
  } else if (route === 'completions') {
    markEach(body.choices, 'text', mark);
  } else if (route === 'responses' && Array.isArray(body.output)) {
    for (const item of body.output) {
      if (isObj(item) && item.type === 'message') {
        markEach(item.content, 'text', mark, (p) => p.type === 'output_text');
      }
    }
    if (typeof body.output_text === 'string') body.output_text = mark(body.output_text);
  }
}

/**
 * Builds the watermark from its config section. Throws MOAT_ERR_CONFIG when no key is
 * configured, since a tier with `watermark: always` must not silently relay unmarked text.
 */
export function createWatermarker(config: WatermarkConfig): Watermarker {
  if (!config.activeKey || config.keys.length === 0) {
    throw new MoatError('MOAT_ERR_CONFIG', 'watermark.keys: at least one key is needed to mark');
  }
  const keyring = new Keyring(config.keys, config.activeKey);
  const opts: EmbedOptions = { key: keyring.active(), strength: config.strength };
  const mark = (t: string): string => markText(t, opts);
  const make = () => textMarker(opts);
  log.info(
    { key_id: keyring.activeId, keys: config.keys.length, strength: config.strength },
    'watermark ready',
  );

  return {
    keyring,
    markText: mark,
    markJson(api, route, body) {
      markBody(api, route, body, mark);
      return body;
    },
    sse(api, route): SseRewriter {
      if (api === 'anthropic') return new FrameSplitter(anthropicBlocks(make));
      if (route === 'responses') return new FrameSplitter(openAiResponses(make));
      if (route === 'chat.completions' || route === 'completions') {
        return new FrameSplitter(openAiChoices(route, make));
      }
      return { push: (chunk) => chunk, end: () => '' };
    },
  };
}

import type { Route } from '../core/event.js';
import type { ApiShape, ResponseMarker, SseRewriter } from '../core/marker.js';
import { AnthropicSse, ChatSse, ResponsesSse, SseSplitter } from './reasoning-sse.js';

/** `strip` removes reasoning from responses; `summarise` keeps a short extract of it. */
export type ReasoningHandling = 'strip' | 'summarise';

type Obj = Record<string, unknown>;

const HEAD_CHARS = 160;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A short extract that stands in for a reasoning trace: its first sentence (at most 160
 * characters) and how much was withheld. It keeps a reader oriented without handing over the
 * step-by-step trace a distiller wants.
 */
export function summariseReasoning(head: string, totalChars: number): string {
  const sentence = head.match(/^[\s\S]*?[.!?](\s|$)/)?.[0] ?? head;
  const first = sentence.trim().slice(0, HEAD_CHARS);
  const more = first.length < totalChars ? ' …' : '';
  return `${first}${more} [reasoning withheld: ${totalChars} characters]`;
}

function chatMessage(message: Obj, mode: ReasoningHandling): void {
  for (const field of ['reasoning_content', 'reasoning'] as const) {
    const text = message[field];
    if (text === undefined) continue;
    if (mode === 'summarise' && typeof text === 'string' && text !== '') {
      message[field] = summariseReasoning(text, text.length);
    } else {
      delete message[field];
    }
  }
  delete message.reasoning_details;
}

/** Rewrites one Responses API output item; returns false when it must be dropped. */
export function responsesItem(item: Obj, mode: ReasoningHandling): boolean {
  if (item.type !== 'reasoning') return true;
  if (mode === 'strip') return false;

  delete item.content;
  delete item.encrypted_content;
  return true;
}

/** Rewrites one Anthropic content block; returns false when it must be dropped. */
function anthropicBlock(block: Obj, mode: ReasoningHandling): boolean {
  if (block.type === 'redacted_thinking') return false;
  if (block.type !== 'thinking') return true;
  if (mode === 'strip') return false;

  const text = typeof block.thinking === 'string' ? block.thinking : '';
  block.thinking = summariseReasoning(text, text.length);
  block.signature = '';
  return true;
}

/** Removes or summarises the reasoning in one complete response body, in place. */
export function markReasoningJson(
  api: ApiShape,
  route: Route,
  body: unknown,
  mode: ReasoningHandling,
): unknown {
  if (!isObj(body)) return body;

  if (api === 'anthropic' && Array.isArray(body.content)) {
    body.content = body.content.filter((b) => !isObj(b) || anthropicBlock(b, mode));
    return body;
  }
  if (route === 'responses' && Array.isArray(body.output)) {
    body.output = body.output.filter((i) => !isObj(i) || responsesItem(i, mode));
    return body;
  }
  if (Array.isArray(body.choices)) {
    for (const choice of body.choices) {
      if (!isObj(choice)) continue;
      if (isObj(choice.message)) chatMessage(choice.message, mode);
      if (isObj(choice.delta)) chatMessage(choice.delta, mode);
    }
  }
  return body;
}

/**
 * The `ResponseMarker` that takes reasoning out of responses for degraded accounts: OpenAI
 * `reasoning_content` / `reasoning` fields, Responses API reasoning items and Anthropic
 * `thinking` blocks, in JSON bodies and in SSE streams (block indices are renumbered so the
 * official SDKs still assemble the message).
 */
export function reasoningMarker(mode: ReasoningHandling = 'strip'): ResponseMarker {
  return {
    markJson: (api, route, body) => markReasoningJson(api, route, body, mode),
    sse(api, route): SseRewriter {
      if (api === 'anthropic') return new SseSplitter(new AnthropicSse(mode));
      if (route === 'responses') return new SseSplitter(new ResponsesSse(mode));
      return new SseSplitter(new ChatSse(mode));
    },
  };
}

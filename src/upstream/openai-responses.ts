import { tokenLogprob, topAlternatives } from './answer.js';
import {
  frame,
  outputTokens,
  TICK,
  type Shape,
  type ShapeContext,
  type StreamPart,
} from './sse.js';

function logprobsOf(ctx: ShapeContext, tokens: string[], from: number) {
  if (!ctx.logprobs) return [];
  return tokens.map((t, i) => ({
    token: t,
    logprob: tokenLogprob(t, from + i),
    bytes: [...Buffer.from(t, 'utf8')],
    top_logprobs: topAlternatives(t, from + i, ctx.topLogprobs).map(([token, logprob]) => ({
      token,
      logprob,
      bytes: [...Buffer.from(token, 'utf8')],
    })),
  }));
}

function part(ctx: ShapeContext, text: string) {
  return { type: 'output_text', text, annotations: [], logprobs: logprobsOf(ctx, [], 0) };
}

function message(ctx: ShapeContext, done: boolean) {
  const c = ctx.choices[0];
  const content = done ? [{ ...part(ctx, c.text), logprobs: logprobsOf(ctx, c.tokens, 0) }] : [];
  const status = done ? 'completed' : 'in_progress';
  return { id: `msg_${ctx.id.slice(5)}`, type: 'message', status, role: 'assistant', content };
}

function response(ctx: ShapeContext, state: 'in_progress' | 'done') {
  const c = ctx.choices[0];
  const done = state === 'done';
  const out = outputTokens(ctx);
  const status = !done ? 'in_progress' : c.truncated ? 'incomplete' : 'completed';
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.created,
    status,
    error: null,
    incomplete_details: done && c.truncated ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    model: ctx.model,
    output: done ? [message(ctx, true)] : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    text: { format: { type: 'text' } },
    metadata: {},
    usage: done
      ? {
          input_tokens: ctx.inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: out,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: ctx.inputTokens + out,
        }
      : null,
  };
}

/** `POST /v1/responses` in the OpenAI Responses shape (single message output). */
export const responsesShape: Shape = {
  body: (ctx) => response(ctx, 'done'),

  *stream(ctx): Iterable<StreamPart> {
    let seq = 0;
    const ev = (type: string, data: object) =>
      frame({ type, sequence_number: seq++, ...data }, type);
    const c = ctx.choices[0];
    const itemId = `msg_${ctx.id.slice(5)}`;
    const where = { item_id: itemId, output_index: 0, content_index: 0 };

    yield ev('response.created', { response: response(ctx, 'in_progress') });
    yield ev('response.in_progress', { response: response(ctx, 'in_progress') });
    yield ev('response.output_item.added', { output_index: 0, item: message(ctx, false) });
    yield ev('response.content_part.added', { ...where, part: part(ctx, '') });
    for (let pos = 0; pos < c.tokens.length; pos++) {
      yield TICK;
      const delta = c.tokens[pos];
      yield ev('response.output_text.delta', {
        ...where,
        delta,
        logprobs: logprobsOf(ctx, [delta], pos),
      });
    }
    const logprobs = logprobsOf(ctx, c.tokens, 0);
    yield ev('response.output_text.done', { ...where, text: c.text, logprobs });
    yield ev('response.content_part.done', { ...where, part: { ...part(ctx, c.text), logprobs } });
    yield ev('response.output_item.done', { output_index: 0, item: message(ctx, true) });
    const final = c.truncated ? 'response.incomplete' : 'response.completed';
    yield ev(final, { response: response(ctx, 'done') });
  },
};

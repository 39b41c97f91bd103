import { tokenLogprob, topAlternatives } from './answer.js';
import {
  frame,
  outputTokens,
  TICK,
  type Shape,
  type ShapeContext,
  type StreamPart,
} from './sse.js';

const bytes = (t: string): number[] => [...Buffer.from(t, 'utf8')];

/** The chat `logprobs.content` entry for one token. */
function tokenEntry(ctx: ShapeContext, token: string, pos: number) {
  const top = topAlternatives(token, pos, ctx.topLogprobs).map(([t, lp]) => ({
    token: t,
    logprob: lp,
    bytes: bytes(t),
  }));
  return { token, logprob: tokenLogprob(token, pos), bytes: bytes(token), top_logprobs: top };
}

function usage(ctx: ShapeContext) {
  const out = outputTokens(ctx);
  return {
    prompt_tokens: ctx.inputTokens,
    completion_tokens: out,
    total_tokens: ctx.inputTokens + out,
  };
}

const finish = (truncated: boolean): string => (truncated ? 'length' : 'stop');

/** `POST /v1/chat/completions` in the OpenAI shape. */
export const chatShape: Shape = {
  body(ctx) {
    return {
      id: ctx.id,
      object: 'chat.completion',
      created: ctx.created,
      model: ctx.model,
      system_fingerprint: 'fp_replay',
      choices: ctx.choices.map((c, index) => ({
        index,
        message: { role: 'assistant', content: c.text, refusal: null },
        logprobs: ctx.logprobs
          ? { content: c.tokens.map((t, i) => tokenEntry(ctx, t, i)), refusal: null }
          : null,
        finish_reason: finish(c.truncated),
      })),
      usage: usage(ctx),
    };
  },

  *stream(ctx): Iterable<StreamPart> {
    const head = { id: ctx.id, object: 'chat.completion.chunk', created: ctx.created };
    const chunk = (choices: unknown[], extra: object = {}) =>
      frame({ ...head, model: ctx.model, system_fingerprint: 'fp_replay', choices, ...extra });

    const first = ctx.choices.map((_, index) => ({
      index,
      delta: { role: 'assistant', content: '', refusal: null },
      logprobs: null,
      finish_reason: null,
    }));
    yield chunk(first);

    const steps = Math.max(...ctx.choices.map((c) => c.tokens.length));
    for (let pos = 0; pos < steps; pos++) {
      yield TICK;
      const live = ctx.choices.flatMap((c, index) => {
        const token = c.tokens[pos];
        if (token === undefined) return [];
        const lp = ctx.logprobs ? { content: [tokenEntry(ctx, token, pos)], refusal: null } : null;
        return [{ index, delta: { content: token }, logprobs: lp, finish_reason: null }];
      });
      yield chunk(live);
    }

    const last = ctx.choices.map((c, index) => ({
      index,
      delta: {},
      logprobs: null,
      finish_reason: finish(c.truncated),
    }));
    yield chunk(last);
    if (ctx.includeUsage) yield chunk([], { usage: usage(ctx) });
    yield 'data: [DONE]\n\n';
  },
};

/** `POST /v1/completions` (legacy text completions) in the OpenAI shape. */
export const completionShape: Shape = {
  body(ctx) {
    return {
      id: ctx.id,
      object: 'text_completion',
      created: ctx.created,
      model: ctx.model,
      choices: ctx.choices.map((c, index) => ({
        text: c.text,
        index,
        logprobs: ctx.logprobs ? legacyLogprobs(ctx, c.tokens, 0) : null,
        finish_reason: finish(c.truncated),
      })),
      usage: usage(ctx),
    };
  },

  *stream(ctx): Iterable<StreamPart> {
    const head = { id: ctx.id, object: 'text_completion', created: ctx.created, model: ctx.model };
    const steps = Math.max(...ctx.choices.map((c) => c.tokens.length));
    for (let pos = 0; pos < steps; pos++) {
      if (pos > 0) yield TICK;
      const choices = ctx.choices.flatMap((c, index) => {
        const token = c.tokens[pos];
        if (token === undefined) return [];
        const lp = ctx.logprobs ? legacyLogprobs(ctx, [token], pos) : null;
        return [{ text: token, index, logprobs: lp, finish_reason: null }];
      });
      yield frame({ ...head, choices });
    }
    const last = ctx.choices.map((c, index) => ({
      text: '',
      index,
      logprobs: null,
      finish_reason: finish(c.truncated),
    }));
    yield frame({ ...head, choices: last });
    if (ctx.includeUsage) yield frame({ ...head, choices: [], usage: usage(ctx) });
    yield 'data: [DONE]\n\n';
  },
};

/** The legacy completions logprobs object for tokens starting at position `from`. */
function legacyLogprobs(ctx: ShapeContext, tokens: string[], from: number) {
  let offset = 0;
  const textOffset = tokens.map((t) => {
    const at = offset;
    offset += t.length;
    return at;
  });
  return {
    tokens,
    token_logprobs: tokens.map((t, i) => tokenLogprob(t, from + i)),
    top_logprobs: tokens.map((t, i) =>
      Object.fromEntries(topAlternatives(t, from + i, Math.max(1, ctx.topLogprobs))),
    ),
    text_offset: textOffset,
  };
}

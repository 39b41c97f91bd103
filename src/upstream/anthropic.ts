import {
  frame,
  outputTokens,
  TICK,
  type Shape,
  type ShapeContext,
  type StreamPart,
} from './sse.js';

const stopReason = (ctx: ShapeContext): string =>
  ctx.choices[0].truncated ? 'max_tokens' : 'end_turn';

function usage(ctx: ShapeContext, output: number) {
  return {
    input_tokens: ctx.inputTokens,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

/** `POST /v1/messages` in the Anthropic Messages shape. */
export const messagesShape: Shape = {
  body(ctx) {
    return {
      id: ctx.id,
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [{ type: 'text', text: ctx.choices[0].text }],
      stop_reason: stopReason(ctx),
      stop_sequence: null,
      usage: usage(ctx, outputTokens(ctx)),
    };
  },

  *stream(ctx): Iterable<StreamPart> {
    const ev = (type: string, data: object) => frame({ type, ...data }, type);
    const message = {
      id: ctx.id,
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(ctx, 1),
    };

    yield ev('message_start', { message });
    yield ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    yield ev('ping', {});
    for (const text of ctx.choices[0].tokens) {
      yield TICK;
      yield ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
    }
    yield ev('content_block_stop', { index: 0 });
    yield ev('message_delta', {
      delta: { stop_reason: stopReason(ctx), stop_sequence: null },
      usage: { output_tokens: outputTokens(ctx) },
    });
    yield ev('message_stop', {});
  },
};

/** Marks a point between two token steps where a paced stream waits. */
export const TICK = Symbol('tick');

/** What a streaming shape yields: SSE frames to write, and ticks between token steps. */
export type StreamPart = string | typeof TICK;

/** One SSE frame with a JSON payload and, for APIs that name them, an event name. */
export function frame(data: unknown, event?: string): string {
  const head = event ? `event: ${event}\n` : '';
  return `${head}data: ${JSON.stringify(data)}\n\n`;
}

/** Everything a response shape needs to render one answered request. */
export interface ShapeContext {
  id: string;
  created: number;
  model: string;
  choices: { text: string; tokens: string[]; truncated: boolean }[];
  inputTokens: number;
  logprobs: boolean;
  topLogprobs: number;
  includeUsage: boolean;
}

/** A route's two renderings: the whole JSON body, and the streamed SSE parts. */
export interface Shape {
  body(ctx: ShapeContext): unknown;
  stream(ctx: ShapeContext): Iterable<StreamPart>;
}

/** Output tokens across all choices, as usage counts them. */
export function outputTokens(ctx: ShapeContext): number {
  return ctx.choices.reduce((s, c) => s + c.tokens.length, 0);
}

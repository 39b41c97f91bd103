import type { Route } from './event.js';

/** Which API shape a response is in. */
export type ApiShape = 'openai' | 'anthropic';

/** Rewrites one SSE stream incrementally; buffers only a bounded tail between calls. */
export interface SseRewriter {
  /** Takes the next raw SSE text from upstream; returns the SSE text to send on now. */
  push(chunk: string): string;
  /** The stream ended: returns whatever is still held back. */
  end(): string;
}

/**
 * A response transformation the gateway applies when the policy says so (the watermark,
 * reasoning removal). The gateway stays ignorant of what it changes: it hands over parsed JSON
 * bodies and raw SSE text and relays what comes back.
 */
export interface ResponseMarker {
  /** Rewrites a complete (non-streamed) JSON response body in place and returns it. */
  markJson(api: ApiShape, route: Route, body: unknown): unknown;
  /** A fresh rewriter for one streamed response. */
  sse(api: ApiShape, route: Route): SseRewriter;
}

import { parseSseEvent, SseCutter, writeSseEvent, type SseEvent } from '../core/sse.js';

/** One SSE event: its raw text, separator, non-data lines, and its data parsed as JSON. */
export type Frame = SseEvent;

/** What the watermark does with each event: the text to send in its place. */
export interface FrameHandler {
  /** Cheap test on the raw text: false sends the event on byte for byte. */
  wants(raw: string): boolean;
  handle(frame: Frame): string;
  /** The stream ended: any text still held, as complete events. */
  finish(): string;
}

/** Parses one raw event. */
export const parseFrame = parseSseEvent;

/** Writes an event with the given non-data lines and JSON data. */
export const writeFrame = writeSseEvent;

/**
 * Cuts an SSE stream into events and hands the ones the handler wants to it; all others go on
 * byte for byte. Only an incomplete trailing event is held back.
 */
export class FrameSplitter extends SseCutter {
  constructor(private readonly handler: FrameHandler) {
    super();
  }

  protected event(raw: string, sep: string): string {
    if (!this.handler.wants(raw)) return raw + sep;
    return this.handler.handle(parseSseEvent(raw, sep));
  }

  protected finish(): string {
    return this.handler.finish();
  }
}

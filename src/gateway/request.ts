import type { EventInput, EventParams, Route } from '../core/event.js';
import { MoatError } from '../core/errors.js';
import { flattenInput } from './input.js';

/** A validated API request: its parsed body and what the event and limits need from it. */
export interface ParsedRequest {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  params: EventParams;
  input: EventInput;
  /** Characters of prompt text, for the token estimate. */
  inputChars: number;
  /** The output cap the request asks for, if any (max_tokens and its per-route synonyms). */
  maxTokens?: number;
}

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'text';

/** Expected type of each field Moat reads, per route. Other fields pass through unchecked. */
const COMMON: Record<string, Kind> = {
  model: 'string',
  stream: 'boolean',
  temperature: 'number',
  top_p: 'number',
  n: 'integer',
  max_tokens: 'integer',
  logprobs: 'boolean',
  top_logprobs: 'integer',
  logit_bias: 'object',
  tools: 'array',
  stream_options: 'object',
};

const FIELDS: Record<Route, Record<string, Kind>> = {
  'chat.completions': { ...COMMON, messages: 'array', max_completion_tokens: 'integer' },
  completions: { ...COMMON, prompt: 'text', logprobs: 'integer' },
  responses: { ...COMMON, input: 'text', instructions: 'string', max_output_tokens: 'integer' },
  embeddings: { model: 'string', input: 'text' },
  messages: {
    ...COMMON,
    messages: 'array',
    system: 'text',
    top_k: 'integer',
    max_tokens: 'integer',
  },
};

const REQUIRED: Record<Route, string[]> = {
  'chat.completions': ['model', 'messages'],
  completions: ['model', 'prompt'],
  responses: ['model'],
  embeddings: ['model', 'input'],
  messages: ['model', 'messages'],
};

function kindOf(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0;
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'text':
      return typeof v === 'string' || Array.isArray(v);
  }
}

const KIND_WORDS: Record<Kind, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number >= 0',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  text: 'a string or an array',
};

function malformed(detail: string, param?: string): MoatError {
  return new MoatError('MOAT_ERR_MALFORMED_REQUEST', detail, { param });
}

/**
 * Parses and type-checks a request body for a route. Malformed JSON, a missing required field
 * or a field of the wrong type throws 400 naming the field; unknown fields are left for the
 * backend to judge.
 */
export function parseRequest(route: Route, raw: Buffer): ParsedRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw malformed(`The body is not valid JSON (${(err as Error).message}).`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw malformed('The body must be a JSON object.');
  }
  const b = body as Record<string, unknown>;

  for (const field of REQUIRED[route]) {
    if (b[field] === undefined) throw malformed(`Field "${field}" is required.`, field);
  }
  const fields = FIELDS[route];
  for (const field in fields) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (!kindOf(v, fields[field])) {
      throw malformed(`Field "${field}" must be ${KIND_WORDS[fields[field]]}.`, field);
    }
  }

  if (Array.isArray(b.messages)) checkMessages(b.messages);
  const { input, chars } = flattenInput(route, b);
  const maxTokens = (b.max_tokens ?? b.max_completion_tokens ?? b.max_output_tokens) as
    number | undefined;
  return {
    body: b,
    model: b.model as string,
    stream: b.stream === true,
    params: eventParams(route, b, maxTokens),
    input,
    inputChars: chars,
    maxTokens,
  };
}

/** Each message must be an object with a string role and string, array or null content. */
function checkMessages(messages: unknown[]): void {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw malformed(`Field "messages[${i}]" must be an object.`, `messages[${i}]`);
    }
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (typeof role !== 'string') {
      throw malformed(`Field "messages[${i}].role" must be a string.`, `messages[${i}].role`);
    }
    if (
      content !== undefined &&
      content !== null &&
      typeof content !== 'string' &&
      !Array.isArray(content)
    ) {
      throw malformed(
        `Field "messages[${i}].content" must be a string or an array.`,
        `messages[${i}].content`,
      );
    }
  }
}

function eventParams(route: Route, b: Record<string, unknown>, maxTokens?: number): EventParams {
  const p: EventParams = {};
  if (typeof b.temperature === 'number') p.temperature = b.temperature;
  if (typeof b.top_p === 'number') p.top_p = b.top_p;
  if (typeof b.n === 'number') p.n = b.n;
  if (maxTokens !== undefined) p.max_tokens = maxTokens;
  if (route === 'completions' && typeof b.logprobs === 'number') {
    p.logprobs = b.logprobs > 0;
    p.top_logprobs = b.logprobs;
  } else {
    if (typeof b.logprobs === 'boolean') p.logprobs = b.logprobs;
    if (typeof b.top_logprobs === 'number') p.top_logprobs = b.top_logprobs;
  }
  if (b.logit_bias && typeof b.logit_bias === 'object') {
    p.logit_bias = Object.keys(b.logit_bias).length;
  }
  p.stream = b.stream === true;
  if (Array.isArray(b.tools)) p.tools = b.tools.length;
  return p;
}

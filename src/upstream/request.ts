import { MoatError } from '../core/errors.js';

/** The parts of any supported API request the replay upstream needs, whatever its shape. */
export interface ReplayRequest {
  model: string;
  /** The text the answer is looked up by: the last user turn, or the prompt. */
  prompt: string;
  /** Everything sent, for the input token count. */
  inputText: string;
  stream: boolean;
  n: number;
  maxTokens?: number;
  temperature?: number;
  logprobs: boolean;
  topLogprobs: number;
  includeUsage: boolean;
}

type Body = Record<string, unknown>;

/** Text of a message content: a string, or an array of text parts (any API's spelling). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : ''))
    .join('');
}

function lastUserTurn(messages: unknown): { prompt: string; all: string } {
  if (!Array.isArray(messages)) {
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'Field "messages" must be an array.');
  }
  const texts = messages.map((m) => contentText(m?.content));
  const users = messages.filter((m) => m?.role === 'user');
  const prompt = users.length ? contentText(users[users.length - 1].content) : (texts.at(-1) ?? '');
  return { prompt, all: texts.join('\n') };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Reads a request body for the given route into a ReplayRequest; malformed bodies are 400s. */
export function readRequest(route: string, body: Body): ReplayRequest {
  const base = {
    model: typeof body.model === 'string' ? body.model : 'replay-model',
    stream: body.stream === true,
    n: Math.min(16, Math.max(1, num(body.n) ?? 1)),
    temperature: num(body.temperature),
    includeUsage: (body.stream_options as Body | undefined)?.include_usage === true,
  };

  if (route === 'chat.completions') {
    const { prompt, all } = lastUserTurn(body.messages);
    const top = num(body.top_logprobs) ?? 0;
    const maxTokens = num(body.max_completion_tokens) ?? num(body.max_tokens);
    return {
      ...base,
      prompt,
      inputText: all,
      maxTokens,
      logprobs: body.logprobs === true,
      topLogprobs: top,
    };
  }
  if (route === 'completions') {
    const p = Array.isArray(body.prompt) ? String(body.prompt[0] ?? '') : body.prompt;
    if (typeof p !== 'string') {
      throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'Field "prompt" must be a string.');
    }
    const lp = num(body.logprobs);
    const common = { prompt: p, inputText: p, maxTokens: num(body.max_tokens) ?? 16 };
    return { ...base, ...common, logprobs: lp !== undefined, topLogprobs: lp ?? 0 };
  }
  if (route === 'responses') {
    const input = body.input;
    const turn = typeof input === 'string' ? { prompt: input, all: input } : lastUserTurn(input);
    const instructions = typeof body.instructions === 'string' ? body.instructions : '';
    const top = num(body.top_logprobs) ?? 0;
    const inputText = `${instructions}\n${turn.all}`;
    const maxTokens = num(body.max_output_tokens);
    return {
      ...base,
      n: 1,
      prompt: turn.prompt,
      inputText,
      maxTokens,
      logprobs: top > 0,
      topLogprobs: top,
    };
  }
  if (route === 'messages') {
    const turn = lastUserTurn(body.messages);
    const system = contentText(body.system);
    const maxTokens = num(body.max_tokens);
    if (maxTokens === undefined) {
      throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'Field "max_tokens" is required.');
    }
    const inputText = `${system}\n${turn.all}`;
    return {
      ...base,
      n: 1,
      prompt: turn.prompt,
      inputText,
      maxTokens,
      logprobs: false,
      topLogprobs: 0,
    };
  }
  throw new MoatError('MOAT_ERR_NOT_FOUND', `No replay route ${route}.`);
}

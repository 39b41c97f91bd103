import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake backend misbehaves, if at all. */
export type FakeMode =
  'ok' | 'reset-mid-stream' | 'slow-headers' | 'stall-mid-stream' | 'error-500';

/** The words every fake answer is made of; usage figures below match them. */
export const ANSWER_WORDS = ['The', 'answer', 'is', 'forty', 'two', 'because', 'it', 'is.'];
export const ANSWER = ANSWER_WORDS.join(' ');
export const PROMPT_TOKENS = 11;
export const COMPLETION_TOKENS = ANSWER_WORDS.length;

export interface FakeUpstream {
  url: string;
  mode: FakeMode;
  /** Delay between stream chunks. */
  chunkDelayMs: number;
  /** How long `slow-headers` waits before answering. */
  slowMs: number;
  /** Answer as a backend that ignores `stream_options.include_usage` (no usage in streams). */
  ignoreIncludeUsage: boolean;
  /** Bodies received, parsed. */
  bodies: Record<string, unknown>[];
  /** Headers received. */
  headers: IncomingMessage['headers'][];
  /** Requests whose connection closed before the fake finished answering. */
  abandoned: number;
  /** Resolves when the next request is abandoned. */
  nextAbandon(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A small local OpenAI- and Anthropic-compatible backend for the gateway tests: answers every
 * route with a fixed text and fixed usage, streams word by word, and can misbehave on demand.
 */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  let abandonWaiter: (() => void) | undefined;
  const fake: FakeUpstream = {
    url: '',
    mode: 'ok',
    chunkDelayMs: 1,
    slowMs: 2_000,
    ignoreIncludeUsage: false,
    bodies: [],
    headers: [],
    abandoned: 0,
    nextAbandon: () => new Promise<void>((r) => (abandonWaiter = r)),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };

  const server: Server = createServer(async (req, res) => {
    let finished = false;
    res.on('close', () => {
      if (finished) return;
      fake.abandoned++;
      abandonWaiter?.();
    });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    fake.bodies.push(body);
    fake.headers.push(req.headers);
    await answer(fake, req, res, body);
    finished = true;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

async function answer(
  fake: FakeUpstream,
  req: IncomingMessage,
  res: ServerResponse,
  body: Record<string, any>,
): Promise<void> {
  if (fake.mode === 'slow-headers') await sleep(fake.slowMs);
  if (res.destroyed) return;
  if (fake.mode === 'error-500') {
    return json(res, 500, { error: { message: 'backend broke', type: 'server_error' } });
  }
  const path = req.url ?? '';
  if (req.method === 'GET' && path === '/v1/models') {
    return json(res, 200, {
      object: 'list',
      data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'x' }],
    });
  }
  if (!body.stream) return json(res, 200, completeBody(path, body));

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const events = streamEvents(path, body, !fake.ignoreIncludeUsage);
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed) return;
    res.write(events[i]);
    if (i === 2 && fake.mode === 'reset-mid-stream') {
      res.socket?.destroy();
      return;
    }
    if (i === 2 && fake.mode === 'stall-mid-stream') return void (await sleep(fake.slowMs));
    await sleep(fake.chunkDelayMs);
  }
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const usageOpenAI = {
  prompt_tokens: PROMPT_TOKENS,
  completion_tokens: COMPLETION_TOKENS,
  total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS,
};
const usageIO = { input_tokens: PROMPT_TOKENS, output_tokens: COMPLETION_TOKENS };

function completeBody(path: string, body: Record<string, any>): object {
  const base = { id: 'x1', created: 1, model: body.model };
  switch (path) {
    case '/v1/chat/completions':
      return {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: ANSWER },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: usageOpenAI,
      };
    case '/v1/completions':
      return {
        ...base,
        object: 'text_completion',
        choices: [{ index: 0, text: ANSWER, finish_reason: 'stop' }],
        usage: usageOpenAI,
      };
    case '/v1/embeddings':
      return {
        object: 'list',
        model: body.model,
        data: [{ object: 'embedding', index: 0, embedding: embedding(body) }],
        usage: { prompt_tokens: PROMPT_TOKENS, total_tokens: PROMPT_TOKENS },
      };
    case '/v1/responses':
      return responseObject(body.model, 'completed');
    case '/v1/messages':
      return {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text: ANSWER }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: usageIO,
      };
    default:
      return { error: { message: `fake has no ${path}` } };
  }
}

/** [0.5, 0.25] as floats, or as base64 float32 when the client asks (the openai SDK does). */
function embedding(body: Record<string, any>): number[] | string {
  const values = [0.5, 0.25];
  if (body.encoding_format !== 'base64') return values;
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

function responseObject(model: string, status: string): object {
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    model,
    status,
    output: [
      {
        type: 'message',
        id: 'm1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: ANSWER, annotations: [] }],
      },
    ],
    usage: { ...usageIO, total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS },
  };
}

const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

function streamEvents(path: string, body: Record<string, any>, honourUsage: boolean): string[] {
  const words = ANSWER_WORDS.map((w, i) => (i === 0 ? w : ` ${w}`));
  const base = { id: 'x1', created: 1, model: body.model };
  if (path === '/v1/messages') {
    return [
      sse(
        {
          type: 'message_start',
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: body.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 },
          },
        },
        'message_start',
      ),
      sse(
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        'content_block_start',
      ),
      ...words.map((w) =>
        sse(
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } },
          'content_block_delta',
        ),
      ),
      sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
      sse(
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: COMPLETION_TOKENS },
        },
        'message_delta',
      ),
      sse({ type: 'message_stop' }, 'message_stop'),
    ];
  }
  if (path === '/v1/responses') {
    return [
      sse(
        {
          type: 'response.created',
          sequence_number: 0,
          response: responseObject(body.model, 'in_progress'),
        },
        'response.created',
      ),
      ...words.map((w, i) =>
        sse(
          {
            type: 'response.output_text.delta',
            sequence_number: i + 1,
            item_id: 'm1',
            output_index: 0,
            content_index: 0,
            delta: w,
          },
          'response.output_text.delta',
        ),
      ),
      sse(
        {
          type: 'response.completed',
          sequence_number: 99,
          response: responseObject(body.model, 'completed'),
        },
        'response.completed',
      ),
    ];
  }
  // Like OpenAI: with include_usage every chunk carries `"usage": null`, then one more chunk
  // with no choices carries the usage of the whole call.
  const completions = path === '/v1/completions';
  const object = completions ? 'text_completion' : 'chat.completion.chunk';
  const withUsage = honourUsage && body.stream_options?.include_usage === true;
  const chunk = (piece: string | null, finish: string | null) =>
    sse({
      ...base,
      object,
      choices: [
        completions
          ? { index: 0, text: piece ?? '', finish_reason: finish }
          : { index: 0, delta: piece === null ? {} : { content: piece }, finish_reason: finish },
      ],
      ...(withUsage ? { usage: null } : {}),
    });
  const out = [...words.map((w) => chunk(w, null)), chunk(null, 'stop')];
  if (withUsage) out.push(sse({ ...base, object, choices: [], usage: usageOpenAI }));
  out.push('data: [DONE]\n\n');
  return out;
}

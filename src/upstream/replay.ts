import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Corpus } from '../data/corpus.js';
import { loadCorpus } from '../data/load.js';
import { messagesShape } from './anthropic.js';
import { answersFor, embed, inputTokens } from './answer.js';
import { chatShape, completionShape } from './openai-chat.js';
import { responsesShape } from './openai-responses.js';
import { readRequest } from './request.js';
import { TICK, type Shape } from './sse.js';

/** Options of the replay upstream. */
export interface ReplayOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Streaming pace in tokens per second; default 50; 0 answers as fast as possible. */
  tokensPerSecond?: number;
  /** Corpus to answer from; default loadCorpus() (real data if present, else built-in). */
  corpus?: Corpus;
}

/** A running replay upstream. */
export interface ReplayUpstream {
  /** Base URL without the `/v1` suffix, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/** Models the replay upstream lists; any other model name in a request is accepted too. */
export const REPLAY_MODELS = ['frontier-large', 'frontier-mini', 'frontier-2'];

const ROUTES: Record<string, { route: string; shape: Shape; prefix: string }> = {
  '/v1/chat/completions': { route: 'chat.completions', shape: chatShape, prefix: 'chatcmpl' },
  '/v1/completions': { route: 'completions', shape: completionShape, prefix: 'cmpl' },
  '/v1/responses': { route: 'responses', shape: responsesShape, prefix: 'resp' },
  '/v1/messages': { route: 'messages', shape: messagesShape, prefix: 'msg' },
};

const MAX_BODY = 8 * 1024 * 1024;

/**
 * Starts an OpenAI- and Anthropic-compatible model server on 127.0.0.1 that answers from the
 * prompt corpus (the dataset's own answer when the prompt is known, else a plausible one),
 * streaming in the official SSE shapes at a realistic token rate. Used by `moat demo`, the
 * gateway benchmark and tests in place of a real inference backend.
 */
export async function startReplayUpstream(opts: ReplayOptions = {}): Promise<ReplayUpstream> {
  const corpus = opts.corpus ?? (await loadCorpus());
  const tps = opts.tokensPerSecond ?? 50;
  let counter = 0;

  const server = createServer((req, res) => {
    handle(
      req,
      res,
      corpus,
      tps,
      () => `${Date.now().toString(36)}${(counter++).toString(36)}`,
    ).catch((err: unknown) => sendError(res, req.url ?? '', err));
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  log.info({ port, tps, corpus: corpus.source }, 'replay upstream listening');

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  corpus: Corpus,
  tps: number,
  nextId: () => string,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, modelList());

  const entry = ROUTES[path];
  const isEmbeddings = path === '/v1/embeddings';
  if (req.method !== 'POST' || (!entry && !isEmbeddings)) {
    throw new MoatError('MOAT_ERR_NOT_FOUND', `${req.method} ${path}`);
  }

  const body = await readBody(req);
  if (isEmbeddings) return sendJson(res, 200, embeddings(body));

  const r = readRequest(entry.route, body);
  const choices = answersFor(corpus, r.prompt, r);
  const ctx = {
    id: `${entry.prefix}_${nextId()}`,
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices,
    inputTokens: inputTokens(r.inputText),
    logprobs: r.logprobs,
    topLogprobs: Math.min(20, r.topLogprobs),
    includeUsage: r.includeUsage,
  };

  if (!r.stream) {
    const longest = Math.max(...choices.map((c) => c.tokens.length));
    if (tps > 0) await sleep((longest * 1000) / tps);
    return sendJson(res, 200, entry.shape.body(ctx));
  }
  await streamShape(res, entry.shape.stream(ctx), tps);
}

/** Writes a stream's frames, waiting 1/tps between token steps, until done or the client left. */
async function streamShape(res: ServerResponse, parts: Iterable<unknown>, tps: number) {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  let pending = '';
  for (const part of parts) {
    if (res.destroyed) return;
    if (part !== TICK) {
      pending += part as string;
      continue;
    }
    if (tps <= 0) continue;
    res.write(pending);
    pending = '';
    await sleep(1000 / tps);
  }
  res.end(pending);
}

function embeddings(body: Record<string, unknown>) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  if (!inputs.every((i) => typeof i === 'string')) {
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'Field "input" must be text.');
  }
  const dims = typeof body.dimensions === 'number' ? Math.min(4096, body.dimensions) : 256;
  const base64 = body.encoding_format === 'base64';
  const data = (inputs as string[]).map((text, index) => {
    const v = embed(text, dims);
    const embedding = base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
    return { object: 'embedding', index, embedding };
  });
  const tokens = (inputs as string[]).reduce((s, t) => s + inputTokens(t), 0);
  const model = typeof body.model === 'string' ? body.model : 'replay-embed';
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

function modelList() {
  const data = REPLAY_MODELS.map((id) => ({
    id,
    object: 'model',
    created: 1_767_225_600,
    owned_by: 'moat-replay',
  }));
  return { object: 'list', data };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new MoatError('MOAT_ERR_BODY_TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Falls through to the malformed-request error below.
  }
  throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'The body must be a JSON object.');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Renders an error in the shape of the API that was called (Anthropic for /v1/messages). */
function sendError(res: ServerResponse, url: string, err: unknown): void {
  const e = err instanceof MoatError ? err : new MoatError('MOAT_ERR_UPSTREAM_FAILED');
  if (!(err instanceof MoatError)) log.error({ err }, 'replay upstream failed');
  if (res.headersSent) return void res.destroy();
  const type = e.status >= 500 ? 'api_error' : 'invalid_request_error';
  const body = url.startsWith('/v1/messages')
    ? { type: 'error', error: { type, message: e.message } }
    : { error: { message: e.message, type, param: null, code: e.code } };
  sendJson(res, e.status, body);
}

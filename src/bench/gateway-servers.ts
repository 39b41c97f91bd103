import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

/** The fixed answer of the benchmark backend: a short chat completion. */
const JSON_BODY = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'bench',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'A short answer of about twenty tokens, the same every time.',
      },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 120, completion_tokens: 20, total_tokens: 140 },
});

/** SSE events of one streamed answer: 20 content chunks, usage, then [DONE]. */
const SSE_EVENTS = [
  ...Array.from(
    { length: 20 },
    (_, i) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'bench',
        choices: [
          { index: 0, delta: { content: `tok${i} ` }, finish_reason: i === 19 ? 'stop' : null },
        ],
      })}\n\n`,
  ),
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'bench',
    choices: [],
    usage: { prompt_tokens: 120, completion_tokens: 20, total_tokens: 140 },
  })}\n\n`,
  'data: [DONE]\n\n',
];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * The benchmark backend: answers every POST at once, JSON or (when the body asks for `stream`)
 * SSE in 22 separate writes, so both proxies relay the same bytes in the same chunks.
 */
export async function startBenchUpstream(): Promise<number> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const stream = Buffer.concat(chunks).includes('"stream":true');
      if (!stream) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(JSON_BODY),
        });
        res.end(JSON_BODY);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const next = () => {
        if (i === SSE_EVENTS.length) return void res.end();
        res.write(SSE_EVENTS[i++]);
        setImmediate(next);
      };
      next();
    });
  });
  server.keepAliveTimeout = 60_000;
  return listen(server);
}

/**
 * The baseline: a bare pass-through proxy with node:http and an undici Pool, nothing else. The
 * request body is streamed through, the response relayed chunk by chunk.
 */
export async function startBareProxy(upstreamUrl: string): Promise<number> {
  const pool = new Pool(upstreamUrl, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
  const server = createServer(async (req, res) => {
    try {
      const up = await pool.request({
        method: 'POST',
        path: req.url ?? '/',
        headers: {
          'content-type': 'application/json',
          'content-length': req.headers['content-length'] ?? '0',
        },
        body: req,
      });
      const type = up.headers['content-type'];
      res.writeHead(up.statusCode, {
        'content-type': typeof type === 'string' ? type : 'application/json',
      });
      for await (const chunk of up.body) res.write(chunk);
      res.end();
    } catch {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    }
  });
  server.keepAliveTimeout = 60_000;
  return listen(server);
}

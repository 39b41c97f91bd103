import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';

/** How to reach a suspect model. */
export interface EndpointOptions {
  /** Base URL, with or without the `/v1` suffix. */
  url: string;
  model: string;
  apiKey?: string;
  api: 'openai' | 'anthropic';
  maxTokens: number;
  concurrency: number;
  timeoutMs: number;
}

/** Answers collected from the endpoint; failed probes are counted, not fatal. */
export interface ProbeAnswers {
  texts: string[];
  failed: number;
}

function base(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

async function askOne(opts: EndpointOptions, prompt: string): Promise<string> {
  const anthropic = opts.api === 'anthropic';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey && anthropic) headers['x-api-key'] = opts.apiKey;
  if (opts.apiKey && !anthropic) headers.authorization = `Bearer ${opts.apiKey}`;
  if (anthropic) headers['anthropic-version'] = '2023-06-01';
  const body = {
    model: opts.model,
    max_tokens: opts.maxTokens,
    messages: [{ role: 'user', content: prompt }],
  };

  const res = await fetch(`${base(opts.url)}/${anthropic ? 'messages' : 'chat/completions'}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  const json = (await res.json()) as {
    choices?: { message?: { content?: unknown } }[];
    content?: { type?: string; text?: unknown }[];
  };
  if (anthropic) {
    return (json.content ?? []).map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
  }
  const content = json.choices?.[0]?.message?.content;
  return typeof content === 'string' ? content : '';
}

/**
 * Sends every probe prompt to the endpoint (a few at a time) and returns the answers. A probe
 * that fails is logged and counted; if all fail the endpoint is unusable and this throws.
 */
export async function askEndpoint(opts: EndpointOptions, prompts: string[]): Promise<ProbeAnswers> {
  const answers = new Array<string | undefined>(prompts.length);
  let failed = 0;
  let lastError = '';
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < prompts.length) {
      const i = next++;
      try {
        answers[i] = await askOne(opts, prompts[i]);
      } catch (err) {
        failed++;
        lastError = (err as Error).message;
        log.warn({ err: lastError }, 'probe failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));

  const texts = answers.filter((t): t is string => t !== undefined);
  if (texts.length === 0 && prompts.length > 0) {
    throw new MoatError('MOAT_ERR_UPSTREAM_FAILED', `Every probe failed (last: ${lastError}).`);
  }
  return { texts, failed };
}

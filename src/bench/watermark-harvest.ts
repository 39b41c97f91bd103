import { parseConfig } from '../config/index.js';
import { MoatError } from '../core/errors.js';
import type { PromptItem } from '../data/corpus.js';
import { startGateway } from '../gateway/index.js';
import { startReplayUpstream } from '../upstream/replay.js';
import type { Watermarker } from '../watermark/marker.js';
import type { BenchCorpus } from './watermark-corpus.js';

/** What a harvest through the gateway returned. */
export interface Harvest {
  /** The watermarked answer per prompt, in the order asked. */
  marked: string[];
  /** Answers fetched as SSE streams (the rest as JSON). */
  streamed: number;
  /** Answers whose text differs from marking the corpus answer in one piece (should be 0). */
  mismatches: number;
}

const ACCOUNT_HEADER = 'x-moat-account';

/**
 * Harvests answers the way an attacker would: every prompt through Moat's gateway (tier
 * `watermark: always`) in front of the replay upstream, every `streamEvery`-th one streamed.
 */
export async function harvestThroughGateway(
  bc: BenchCorpus,
  items: PromptItem[],
  marker: Watermarker,
  opts: { concurrency?: number; streamEvery?: number } = {},
): Promise<Harvest> {
  const upstream = await startReplayUpstream({ corpus: bc.corpus, tokensPerSecond: 0 });
  const config = parseConfig({
    server: { port: 0 },
    upstream: { url: upstream.url },
    auth: { keys: false, trusted_header: { account: ACCOUNT_HEADER } },
    tiers: {
      standard: {
        watermark: 'always',
        requests_per_minute: 1_000_000,
        tokens_per_minute: 1_000_000_000,
        max_concurrent: 256,
      },
    },
  });
  const gateway = await startGateway({ config, marker, store: null });

  const streamEvery = opts.streamEvery ?? 4;
  const marked = new Array<string>(items.length);
  let next = 0;
  let streamed = 0;
  let mismatches = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const stream = i % streamEvery === 0;
      marked[i] = await ask(gateway.url, items[i].prompt, stream);
      if (stream) streamed++;
      if (marked[i] !== marker.markText(items[i].answer ?? '')) mismatches++;
    }
  };

  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 24 }, worker));
  } finally {
    await gateway.close();
    await upstream.close();
  }
  return { marked, streamed, mismatches };
}

async function ask(base: string, prompt: string, stream: boolean): Promise<string> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [ACCOUNT_HEADER]: 'harvester' },
    body: JSON.stringify({
      model: 'frontier-large',
      messages: [{ role: 'user', content: prompt }],
      max_tokens: 100_000,
      stream,
    }),
  });
  const body = await res.text();
  if (res.status !== 200) {
    throw new MoatError('MOAT_ERR_UPSTREAM_FAILED', `Harvest call answered ${res.status}.`);
  }
  if (!stream)
    return (JSON.parse(body) as { choices: { message: { content: string } }[] }).choices[0].message
      .content;

  let text = '';
  for (const event of body.split('\n\n')) {
    const line = event.split('\n').find((l) => l.startsWith('data: '));
    if (!line || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
    text += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

import { request } from 'undici';
import { log } from '../core/log.js';
import { quantise, VEC_DIM, type EventFeatures } from './features.js';
import { fmix32 } from './hash.js';

/** An embedding endpoint for the prompt vectors: `detect.embeddings` in moat.yaml. */
export interface EmbeddingsConfig {
  /** Base URL of an OpenAI-compatible API; `POST {url}/embeddings` is called. */
  url: string;
  model: string;
  /** Environment variable holding the endpoint's API key, sent as a bearer token. */
  apiKeyEnv?: string;
  /** Prompts per call. */
  batch: number;
  timeoutMs: number;
}

/** An event's features with the prompt text the embedding is asked for. */
export interface Embeddable {
  f: EventFeatures;
  text?: string;
}

/** Failures are logged at most this often; every one is counted. */
const LOG_EVERY_MS = 60_000;

/**
 * Replaces the hashed n-gram vector of each prompt by its embedding from an endpoint, projected
 * to the same small int8 vector, so the distribution and distance tests compare meaning rather
 * than wording. A call that fails leaves that batch's hashed vectors in place: detection goes on
 * with the cheaper features, and the failure is counted and logged.
 */
export class Embedder {
  /** Prompts given an embedding, and prompts left with the hashed vector after a failure. */
  embedded = 0;
  failed = 0;
  private loggedAt = -Infinity;
  private readonly headers: Record<string, string>;

  constructor(private readonly config: EmbeddingsConfig) {
    this.headers = { 'content-type': 'application/json' };
    const key = config.apiKeyEnv ? process.env[config.apiKeyEnv] : undefined;
    if (key) this.headers.authorization = `Bearer ${key}`;
  }

  /** The counts for a read's statistics. */
  stats(): { embedded: number; embedFailed: number } {
    return { embedded: this.embedded, embedFailed: this.failed };
  }

  /** Embeds the prompts of `items` in batches, in place. */
  async enrich(items: readonly Embeddable[]): Promise<void> {
    const todo = items.filter((i) => i.f.text !== null && i.text);
    for (let k = 0; k < todo.length; k += this.config.batch) {
      const part = todo.slice(k, k + this.config.batch);
      const vectors = await this.fetch(part.map((i) => i.text as string));
      if (!vectors) {
        this.failed += part.length;
        continue;
      }
      for (let j = 0; j < part.length; j++) {
        (part[j].f.text as NonNullable<EventFeatures['text']>).vec = project(vectors[j]);
      }
      this.embedded += part.length;
    }
  }

  private async fetch(input: string[]): Promise<number[][] | undefined> {
    try {
      const res = await request(`${this.config.url.replace(/\/+$/, '')}/embeddings`, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify({ model: this.config.model, input }),
        headersTimeout: this.config.timeoutMs,
        bodyTimeout: this.config.timeoutMs,
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`status ${res.statusCode}`);
      }
      const body = (await res.body.json()) as { data?: { index?: number; embedding?: unknown }[] };
      const out = new Array<number[]>(input.length);
      for (const [i, d] of (body.data ?? []).entries()) {
        const at = typeof d.index === 'number' ? d.index : i;
        if (Array.isArray(d.embedding) && at >= 0 && at < input.length) {
          out[at] = d.embedding as number[];
        }
      }
      for (let i = 0; i < input.length; i++) {
        if (!out[i] || out[i].length === 0) throw new Error(`no embedding for input ${i}`);
      }
      return out;
    } catch (err) {
      const now = Date.now();
      if (now - this.loggedAt >= LOG_EVERY_MS) {
        this.loggedAt = now;
        const msg = 'embedding endpoint failed; hashed prompt vectors used for this batch';
        log.warn({ url: this.config.url, err: (err as Error).message }, msg);
      }
      return undefined;
    }
  }
}

/** Sign matrices of the projection, by input dimension (dim x VEC_DIM entries of +1 or -1). */
const signs = new Map<number, Int8Array>();

function signMatrix(dim: number): Int8Array {
  let m = signs.get(dim);
  if (!m) {
    m = new Int8Array(dim * VEC_DIM);
    for (let i = 0; i < m.length; i++) m[i] = fmix32(i + 0x51ed) & 1 ? 1 : -1;
    signs.set(dim, m);
  }
  return m;
}

/**
 * A fixed random sign projection of an embedding onto VEC_DIM dimensions, L2-normalised and
 * scaled to int8 like the hashed vectors. It keeps inner products on average, so close
 * embeddings stay close; the same embedding always gives the same vector.
 */
export function project(embedding: ArrayLike<number>): Int8Array {
  const dim = embedding.length;
  const m = signMatrix(dim);
  const out = new Float32Array(VEC_DIM);
  for (let i = 0; i < dim; i++) {
    const x = Number(embedding[i]) || 0;
    if (x === 0) continue;
    const row = i * VEC_DIM;
    for (let j = 0; j < VEC_DIM; j++) out[j] += m[row + j] * x;
  }
  return quantise(out);
}

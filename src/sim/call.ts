import type { EventParams, Message, MoatEvent, Route } from '../core/event.js';
import { countTokens } from '../data/builtin/answers.js';
import type { Corpus, PromptItem } from '../data/corpus.js';
import { answersFor } from '../upstream/answer.js';
import { clientInfo, type Identity } from './identity.js';
import type { Rng } from './rng.js';

/** One request a simulated account makes, before it becomes a `moat.event.v1` record. */
export interface Call {
  route: Route;
  model: string;
  params: EventParams;
  system?: string;
  /** Earlier turns of the conversation (user and assistant). */
  history?: Message[];
  /** The new user turn (or the prompt for completions and embeddings). */
  user: string;
  /** The corpus prompt this call is about; its answer is the dataset's when there is one. */
  item?: PromptItem;
  /** Output length for answers the corpus lacks, from a token-size trace. */
  lengthHint?: number;
  /** Input tokens the text does not show (retrieved passages, attached files). */
  hiddenInputTokens?: number;
  /** A fixed short output (a classifier label) instead of a generated answer. */
  fixedOutput?: string;
}

/** The account-level facts an event carries besides the call. */
export interface Sender {
  account: string;
  key: string;
  tier: string;
  identity: Identity;
}

const MAX_HISTORY = 6;

/** Assistant text kept in later turns' history, to bound event size. */
export function clip(text: string, chars = 600): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}...`;
}

/**
 * Turns a call into the event the gateway would log for it: the answer the replay upstream
 * would give (the dataset's own answer when known), usage, latency at ~50 tokens per second.
 */
export function callToEvent(
  call: Call,
  sender: Sender,
  tsMs: number,
  corpus: Corpus,
  rng: Rng,
): MoatEvent {
  const messages: Message[] = [];
  if (call.system) messages.push({ role: 'system', content: call.system });
  if (call.history) messages.push(...call.history.slice(-MAX_HISTORY));
  messages.push({ role: 'user', content: call.user });
  const inputText = messages.map((m) => m.content).join('\n');
  const inputTokens = countTokens(inputText) + (call.hiddenInputTokens ?? 0);

  let text = '';
  let outTokens = 0;
  let finish = 'stop';
  if (call.route === 'embeddings') {
    outTokens = 0;
  } else if (call.fixedOutput !== undefined) {
    text = call.fixedOutput;
    outTokens = Math.max(1, countTokens(text)) * (call.params.n ?? 1);
  } else {
    const lookup = call.item?.prompt ?? call.user;
    const n = call.params.n ?? 1;
    const opts = { ...call.params, n, maxTokens: call.params.max_tokens };
    const answers = answersFor(corpus, lookup, { ...opts, lengthHint: call.lengthHint });
    text = answers[0].text;
    outTokens = answers.reduce((s, a) => s + a.tokens.length, 0);
    finish = answers[0].truncated ? 'length' : 'stop';
  }

  const route = call.route;
  const input =
    route === 'completions' || route === 'embeddings' ? { prompt: call.user } : { messages };
  const latency = Math.round(150 + rng.exponential(250) + (outTokens / 50) * 1000);
  return {
    v: 1,
    id: `evt_${rng.hex(20)}`,
    ts: new Date(tsMs).toISOString(),
    account: sender.account,
    key: sender.key,
    tier: sender.tier,
    client: clientInfo(sender.identity, rng),
    route,
    model: call.model,
    params: call.params,
    input,
    ...(route === 'embeddings' ? {} : { output: { text, finish_reason: finish } }),
    usage: { input_tokens: inputTokens, output_tokens: outTokens },
    status: 200,
    latency_ms: latency,
  };
}

import type { Message } from '../core/event.js';
import type { Corpus, PromptItem, SetName } from '../data/corpus.js';
import type { TraceBank, TokenSize } from '../data/traces.js';
import type { Rng } from './rng.js';

/** What every simulated account can see: the corpus, the traces and the scenario's clock. */
export interface World {
  corpus: Corpus;
  traces: TraceBank;
  startMs: number;
  /** Virtual seconds the scenario lasts. */
  endS: number;
  /** Virtual second of the new model's release, when there is one. */
  releaseS: number | null;
  newModel: string | null;
}

/** An ongoing conversation of an account. */
export interface Conversation {
  system?: string;
  history: Message[];
  item?: PromptItem;
  turns: number;
}

/** Per-account state a profile reads and updates while generating requests. */
export interface AccountState {
  rng: Rng;
  world: World;
  /** Fixed choices of this account (route, temperature, bank name...). */
  traits: Record<string, string | number | boolean>;
  /** Model before the release, and when (virtual s) this account moves to the new model. */
  baseModel: string;
  adoptS: number;
  convo?: Conversation;
}

/** The model an account calls at virtual time t. */
export function modelAt(a: AccountState, t: number): string {
  const { releaseS, newModel } = a.world;
  return releaseS !== null && newModel && t >= a.adoptS ? newModel : a.baseModel;
}

/** A random item of one of the sets, chosen with the given weights. */
export function pickItem(rng: Rng, corpus: Corpus, sets: SetName[], weights?: number[]) {
  const name = weights ? rng.weighted(sets, weights) : rng.pick(sets);
  return rng.pick(corpus.sets[name]);
}

/** A token-size pair from a trace. */
export function pickSize(rng: Rng, sizes: TokenSize[]): TokenSize {
  return sizes.length ? rng.pick(sizes) : { input: 500, output: 200 };
}

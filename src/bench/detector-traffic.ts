import type { MoatEvent } from '../core/event.js';
import { Rng } from '../detect/hash.js';

const WORDS = (
  'the a of to and in is for on with how what why can you please my our this that it be ' +
  'write explain summarize translate compare list give make find fix help need want code ' +
  'python function error list data table report email letter story poem recipe travel plan ' +
  'budget bank card account transfer refund payment loan market product customer sales team ' +
  'meeting project deadline health diet sleep exercise movie song book history war country ' +
  'city capital science energy cell planet math number sum percent price average problem ' +
  'question answer idea example simple short detailed best better good bad new old first ' +
  'last next time day week year today tomorrow morning night work home school student teacher'
).split(' ');

const TEMPLATES = [
  'Solve the following problem. Think step by step and show your full reasoning before the ' +
    'final answer.\n\nProblem: ',
  'You are an expert. Explain your reasoning in detail, step by step, then answer:\n',
];

/** Options of the synthetic detector workload. */
export interface TrafficOptions {
  events: number;
  accounts: number;
  /** Share of events sent by harvesting accounts. */
  harvestShare: number;
  seed: number;
  /** Event time of the first event (ms). */
  startMs?: number;
}

/**
 * A synthetic, labelled workload for the detector's own speed and memory benchmark: legitimate
 * accounts with varied short prompts and random timing, and a few harvesting accounts with a
 * chain-of-thought template. Not a quality benchmark (see `moat bench detect` for that).
 */
export function* syntheticEvents(o: TrafficOptions): Generator<MoatEvent> {
  const rng = new Rng(o.seed);
  const harvesters = Math.max(1, Math.round(o.accounts * 0.01));
  let ms = o.startMs ?? Date.UTC(2026, 10, 30);
  for (let i = 0; i < o.events; i++) {
    ms += Math.round(-Math.log(1 - rng.next()) * 50);
    const harvest = rng.next() < o.harvestShare;
    const id = harvest
      ? Math.floor(rng.next() * harvesters)
      : harvesters + Math.floor(Math.pow(rng.next(), 2) * (o.accounts - harvesters));
    yield makeEvent(rng, i, ms, id, harvest);
  }
}

function sentence(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rng.next() * WORDS.length)]);
  return `${out.join(' ')}?`;
}

function makeEvent(rng: Rng, i: number, ms: number, id: number, harvest: boolean): MoatEvent {
  const text = harvest
    ? `${TEMPLATES[id % TEMPLATES.length]}${sentence(rng, 25)}`
    : sentence(rng, 8 + Math.floor(rng.next() * 60));
  const messages = harvest
    ? [{ role: 'user', content: text }]
    : [
        { role: 'system', content: 'You are a helpful assistant for our customers.' },
        { role: 'user', content: text },
      ];
  const inTok = Math.round(text.length / 4);
  return {
    v: 1,
    id: `evt_${i}`,
    ts: new Date(ms).toISOString(),
    account: `acct_${id}`,
    tier: 'standard',
    client: {
      ip: harvest ? `203.0.113.${id % 250}` : `198.51.${id % 250}.${(id * 7) % 250}`,
      user_agent: harvest ? 'python-requests/2.32' : 'OpenAI/Python 1.40.0',
      payment_fp: harvest ? 'pm_shared' : `pm_${id}`,
    },
    route: 'chat.completions',
    model: 'frontier-large',
    params: { temperature: harvest ? 0 : 0.7, max_tokens: harvest ? 4096 : 512 },
    input: { messages },
    output: { text: '', finish_reason: 'stop' },
    usage: { input_tokens: inTok, output_tokens: harvest ? 900 : Math.round(inTok * 1.5) },
    status: 200,
    latency_ms: 800,
  };
}

import type { Route } from '../core/event.js';
import type { PromptItem } from '../data/corpus.js';
import type { Call } from './call.js';
import { host, network, opaque, SDK_USER_AGENTS, type Identity } from './identity.js';
import type { Rng } from './rng.js';
import type { CampaignSpec } from './scenario.js';
import * as T from './texts.js';
import type { World } from './world.js';

const DAY_MS = 86_400_000;

/** Infrastructure a hydra's accounts share in part: proxy networks, cards, client strings. */
export interface SharedInfra {
  nets: string[];
  cards: string[];
  userAgents: string[];
  /** Sign-up burst centre (ms). */
  burstMs: number;
  template: string;
}

/** A hydra's shared infrastructure, sized to its account count. */
export function sharedInfra(spec: CampaignSpec, rng: Rng, world: World): SharedInfra {
  const n = spec.accounts ?? 1;
  const nets = Array.from({ length: Math.max(2, Math.ceil(n / 6)) }, () => network('proxy', rng));
  const cards = Array.from({ length: Math.max(1, Math.ceil(n / 10)) }, () => opaque('pm', rng, 10));
  const userAgents = rng.shuffle([...SDK_USER_AGENTS]).slice(0, 3);
  const burstMs = world.startMs + (spec.start_day ?? 0) * DAY_MS - rng.range(2, 48) * 3_600_000;
  return { nets, cards, userAgents, burstMs, template: rng.pick(T.HARVEST_TEMPLATES) };
}

/** Where a campaign account connects from and when it signed up, by campaign kind. */
export function identityFor(
  spec: CampaignSpec,
  rng: Rng,
  world: World,
  startS: number,
  infra: SharedInfra | null,
  nowS?: number,
): Identity {
  const startMs = world.startMs + startS * 1000;
  const iso = (ms: number) => new Date(ms).toISOString();

  if (infra) {
    const ips = [host(rng.pick(infra.nets), rng)];
    if (rng.chance(0.4)) ips.push(host(rng.pick(infra.nets), rng));
    const paymentFp = rng.chance(0.6) ? rng.pick(infra.cards) : opaque('pm', rng, 10);
    const signup =
      nowS !== undefined
        ? world.startMs + nowS * 1000 - rng.range(60, 1800) * 1000
        : infra.burstMs + rng.next() * 3 * 3_600_000;
    return { ips, userAgent: rng.pick(infra.userAgents), paymentFp, signupTs: iso(signup) };
  }

  const kind = spec.kind;
  const residential = kind === 'mimic';
  const net = network(residential ? 'residential' : rng.chance(0.5) ? 'cloud' : 'proxy', rng);
  const ips = Array.from({ length: rng.range(1, 2) }, () => host(net, rng));
  const ageDays =
    kind === 'mimic'
      ? rng.range(30, 300)
      : kind === 'low-and-slow'
        ? rng.range(5, 40)
        : kind === 'pivot'
          ? rng.range(3, 20)
          : 0.1 + rng.next() * 3;
  const signupMs =
    (kind === 'pivot' || kind === 'mimic' ? world.startMs : startMs) - ageDays * DAY_MS;
  const userAgent =
    kind === 'bulk'
      ? rng.pick(['python-requests/2.32.3', 'OpenAI/Python 1.54.4'])
      : rng.pick(SDK_USER_AGENTS);
  return { ips, userAgent, paymentFp: opaque('pm', rng, 10), signupTs: iso(signupMs) };
}

/** The tier a campaign account signs up for. */
export function tierFor(spec: CampaignSpec, rng: Rng): string {
  if (spec.kind === 'bulk' || spec.kind === 'pivot') return rng.pick(['standard', 'scale']);
  if (spec.kind === 'hydra' || spec.kind === 'low-and-slow') return rng.pick(['free', 'standard']);
  return rng.pick(['free', 'standard', 'scale']);
}

/** Fixed habits of one harvesting account. */
export interface Style {
  template: string;
  route: Route;
  temperature: number;
}

/** An account's habits for its campaign kind; hydras share their group template. */
export function harvestStyle(spec: CampaignSpec, rng: Rng, infra: SharedInfra | null): Style {
  const route: Route = rng.weighted(['chat.completions', 'messages', 'responses'], [6, 2, 1]);
  if (infra) return { template: infra.template, route: 'chat.completions', temperature: 0.7 };
  switch (spec.kind) {
    case 'cot':
      return { template: rng.pick(T.COT_WRAPPERS), route, temperature: rng.pick([0, 0.3]) };
    case 'logprob':
      return {
        template: '{p}',
        route: rng.pick(['completions', 'chat.completions']),
        temperature: 0,
      };
    case 'user-prompts':
    case 'low-and-slow':
      return { template: '{p}', route, temperature: rng.pick([0.7, 1]) };
    default:
      return { template: rng.pick(T.HARVEST_TEMPLATES), route, temperature: 0.7 };
  }
}

/** The request a harvesting account sends for one target prompt. */
export function harvestCall(
  spec: CampaignSpec,
  item: PromptItem,
  style: Style,
  rng: Rng,
  model: string,
  last: Call | null,
): Call {
  const params = {
    temperature: style.temperature,
    top_p: 1,
    n: 1,
    max_tokens: spec.kind === 'cot' ? 4096 : 2048,
    stream: spec.kind !== 'bulk',
    logprobs: false,
    top_logprobs: 0,
    logit_bias: 0,
    tools: 0,
  };
  const call: Call = { route: style.route, model, params, user: '', item };

  if (spec.kind === 'logprob') {
    const lp = { logprobs: true, top_logprobs: 20, logit_bias: rng.range(50, 300) };
    return {
      ...call,
      params: { ...params, ...lp, max_tokens: rng.pick([1, 8, 32]) },
      user: item.prompt,
    };
  }
  if (spec.kind === 'mimic') {
    const temperature = rng.pick([0.6, 0.8, 1]);
    const mp = { ...params, temperature, max_tokens: rng.pick([1024, 2048, 4096]) };
    if (last && rng.chance(0.35)) {
      const user = T.fill(rng.pick(T.MIMIC_FOLLOWUPS), item.prompt);
      return { ...call, params: mp, history: last.history, user };
    }
    return { ...call, params: mp, user: T.fill(rng.pick(T.MIMIC_WRAPPERS), item.prompt) };
  }
  return { ...call, user: T.fill(style.template, item.prompt) };
}

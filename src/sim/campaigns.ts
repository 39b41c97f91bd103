import type { MoatEvent } from '../core/event.js';
import type { PromptItem } from '../data/corpus.js';
import { activeOffset, SteadyArrivals, TraceArrivals, type Arrivals } from './arrival.js';
import { clip, type Call, type Sender } from './call.js';
import * as H from './harvest.js';
import { LegitSource } from './legit.js';
import { PROFILES } from './profiles-hard.js';
import type { Rng } from './rng.js';
import type { CampaignSpec } from './scenario.js';
import type { SimContext, Source } from './types.js';
import { pickItem } from './world.js';

/** A running campaign: its sources and how much of its target set it has harvested. */
export interface CampaignRun {
  spec: CampaignSpec;
  sources: Source[];
  /** Distinct target prompts it plans to harvest. */
  targets: PromptItem[];
  cursor: number;
  /** Ids of target prompts answered so far. */
  harvested: Set<string>;
  /** Accounts it has used, replacements included. */
  accounts: string[];
  replacementsLeft: number;
  events: number;
}

/** The share of its target set a campaign has harvested so far. */
export function harvestedShare(run: CampaignRun): number {
  return run.targets.length ? run.harvested.size / run.targets.length : 0;
}

function nextTarget(run: CampaignRun): PromptItem | null {
  return run.cursor < run.targets.length ? run.targets[run.cursor++] : null;
}

function record(run: CampaignRun, item: PromptItem | undefined, event: MoatEvent): MoatEvent {
  run.events++;
  if (item && event.status === 200) run.harvested.add(item.id);
  return event;
}

interface Span {
  startS: number;
  endS: number;
}

/** Builds a campaign's target list and its sources from the spec. */
export function createCampaign(spec: CampaignSpec, ctx: SimContext, rng: Rng): CampaignRun {
  const pool = spec.target.flatMap((s) => ctx.world.corpus.sets[s]);
  const targets = rng.shuffle([...pool]).slice(0, spec.target_size ?? pool.length);
  const hydra = spec.kind === 'hydra';
  const run: CampaignRun = {
    spec,
    sources: [],
    targets,
    cursor: 0,
    harvested: new Set(),
    accounts: [],
    replacementsLeft: hydra ? (spec.replacements ?? 0) : 0,
    events: 0,
  };
  const base = spec.kind === 'pivot' ? (ctx.world.releaseS ?? 0) : 0;
  const startS = base + (spec.start_day ?? 0) * 86_400;
  const span = { startS, endS: spec.days ? startS + spec.days * 86_400 : ctx.world.endS };
  const n = spec.accounts ?? 1;

  if (hydra) run.sources.push(new HydraSource(run, ctx, rng, span));
  else if (spec.kind === 'reseller-mix') {
    for (let i = 0; i < n; i++) run.sources.push(mixedReseller(run, ctx, i, span));
  } else {
    for (let i = 0; i < n; i++) run.sources.push(new HarvesterSource(run, ctx, i, span));
  }
  return run;
}

/**
 * One harvesting account (bulk, low-and-slow, user prompts, CoT, logprobs, pivot, mimic). A
 * stopped account sends nothing more; these kinds do not replace accounts. A pivot account
 * sends light ordinary traffic until its pivot, then harvests on the new model.
 */
class HarvesterSource implements Source {
  nextS: number | null;
  private readonly sender: Sender;
  private readonly arrivals: Arrivals;
  private readonly warmup: Arrivals | null = null;
  private readonly rng: Rng;
  private readonly style: H.Style;
  private last: Call | null = null;

  constructor(
    private readonly run: CampaignRun,
    ctx: SimContext,
    index: number,
    private readonly span: Span,
  ) {
    const { spec } = run;
    const rng = (this.rng = ctx.rngFor(`${spec.name}-${index}`));
    const identity = H.identityFor(spec, rng, ctx.world, span.startS, null);
    const label = { label: 'attack' as const, campaign: spec.name };
    this.sender = ctx.newSender(label, identity, H.tierFor(spec, rng));
    run.accounts.push(this.sender.account);
    this.style = H.harvestStyle(spec, rng, null);

    const perDay = spec.per_day / (spec.accounts ?? 1);
    const trace = rng.pick(ctx.world.traces.clients);
    this.arrivals =
      spec.kind === 'mimic'
        ? new TraceArrivals(
            trace,
            perDay,
            rng,
            activeOffset(trace, ctx.world.endS, rng),
            ctx.world.endS,
          )
        : new SteadyArrivals(perDay, rng, spec.kind === 'bulk' ? 0.3 : 0.8);
    if (spec.kind === 'pivot') this.warmup = new SteadyArrivals(rng.range(5, 30), rng, 1, true);
    this.nextS = (this.warmup ?? this.arrivals).next(this.warmup ? 0 : span.startS);
  }

  fire(ctx: SimContext): MoatEvent | null {
    const t = this.nextS as number;
    if (t >= this.span.endS || ctx.isStopped(this.sender)) {
      this.nextS = null;
      return null;
    }
    if (this.warmup && t < this.span.startS) return this.warm(ctx, t);

    const item = nextTarget(this.run);
    if (!item) {
      this.nextS = null;
      return null;
    }
    const model =
      this.run.spec.kind === 'pivot' ? (ctx.world.newModel ?? 'frontier-large') : 'frontier-large';
    const call = H.harvestCall(this.run.spec, item, this.style, this.rng, model, this.last);
    const event = ctx.toEvent(call, this.sender, t, this.rng);
    const history = [
      ...(call.history ?? []).slice(-4),
      { role: 'user', content: call.user },
      { role: 'assistant', content: clip(event.output?.text ?? '', 300) },
    ];
    this.last = { ...call, history };
    this.nextS = this.arrivals.next(t);
    return record(this.run, item, event);
  }

  /** Ordinary-looking chat before a pivot; not part of the harvest. */
  private warm(ctx: SimContext, t: number): MoatEvent {
    const item = pickItem(this.rng, ctx.world.corpus, ['arena-hard', 'instructionwild']);
    const params = { temperature: 0.7, n: 1, max_tokens: 1024, stream: true };
    const call: Call = {
      route: 'chat.completions',
      model: 'frontier-large',
      params,
      user: item.prompt,
    };
    const event = ctx.toEvent(call, this.sender, t, this.rng);
    const next = (this.warmup as Arrivals).next(t);
    this.nextS =
      next !== null && next < this.span.startS ? next : this.arrivals.next(this.span.startS);
    this.run.events++;
    return event;
  }
}

/** One account of a hydra; `tried` once it has sent a request (answered or refused). */
interface HydraAccount {
  sender: Sender;
  style: H.Style;
  tried: boolean;
}

/**
 * A hydra: many accounts behind shared proxies and cards, load-balanced round robin at the
 * campaign's total rate, each stopped account replaced at once by a fresh one while the
 * replacement budget lasts.
 */
class HydraSource implements Source {
  nextS: number | null;
  private readonly infra: H.SharedInfra;
  private readonly arrivals: SteadyArrivals;
  private readonly active: HydraAccount[] = [];
  private turn = 0;

  constructor(
    private readonly run: CampaignRun,
    private readonly ctx: SimContext,
    private readonly rng: Rng,
    private readonly span: Span,
  ) {
    this.infra = H.sharedInfra(run.spec, rng, ctx.world);
    for (let i = 0; i < (run.spec.accounts ?? 1); i++) this.active.push(this.recruit());
    this.arrivals = new SteadyArrivals(run.spec.per_day, rng, 0.6);
    this.nextS = this.arrivals.next(span.startS);
  }

  private recruit(nowS?: number) {
    const { spec } = this.run;
    const identity = H.identityFor(
      spec,
      this.rng,
      this.ctx.world,
      this.span.startS,
      this.infra,
      nowS,
    );
    const label = { label: 'attack' as const, campaign: spec.name };
    const sender = this.ctx.newSender(label, identity, H.tierFor(spec, this.rng));
    this.run.accounts.push(sender.account);
    return { sender, style: H.harvestStyle(spec, this.rng, this.infra), tried: false };
  }

  fire(ctx: SimContext): MoatEvent | null {
    const t = this.nextS as number;
    this.nextS = t < this.span.endS ? this.arrivals.next(t) : null;

    const slot = this.turn++ % this.active.length;
    let account = this.active[slot];
    if (ctx.isStopped(account.sender)) {
      if (!account.tried) return this.refused(ctx, account, t);
      if (this.run.replacementsLeft > 0) {
        this.run.replacementsLeft--;
        account = this.active[slot] = this.recruit(t);
        if (ctx.isStopped(account.sender)) return this.refused(ctx, account, t);
      } else {
        this.active.splice(slot, 1);
        if (this.active.length === 0) this.nextS = null;
        return null;
      }
    }
    const item = nextTarget(this.run);
    if (!item) {
      this.nextS = null;
      return null;
    }
    account.tried = true;
    const { sender, style } = account;
    const call = H.harvestCall(this.run.spec, item, style, this.rng, 'frontier-large', null);
    return record(this.run, item, ctx.toEvent(call, sender, t, this.rng));
  }

  /**
   * An account refused on its first request (the policy matched it to a blocked cluster before
   * any answer): the gateway logs the refusal, nothing is harvested, and the prompt stays next
   * in line. The account is replaced on its next turn.
   */
  private refused(ctx: SimContext, account: HydraAccount, t: number): MoatEvent | null {
    account.tried = true;
    const item = this.run.targets[this.run.cursor];
    if (!item) return null;
    const call = H.harvestCall(
      this.run.spec,
      item,
      account.style,
      this.rng,
      'frontier-large',
      null,
    );
    const { output: _output, ...event } = ctx.toEvent(call, account.sender, t, this.rng);
    const usage = { input_tokens: event.usage?.input_tokens ?? 0, output_tokens: 0 };
    return record(this.run, undefined, { ...event, usage, status: 403 });
  }
}

/** A reseller account whose traffic is `share` harvesting, the rest its real end users. */
function mixedReseller(run: CampaignRun, ctx: SimContext, index: number, span: Span): Source {
  const rng = ctx.rngFor(`${run.spec.name}-${index}`);
  const share = run.spec.share ?? 0.2;
  const style = H.harvestStyle({ ...run.spec, kind: 'cot' }, rng, null);
  const perDay = run.spec.per_day / (run.spec.accounts ?? 1);
  let pending: PromptItem | null = null;
  const source = new LegitSource(ctx, PROFILES.reseller, rng, perDay, {
    label: { label: 'attack', campaign: run.spec.name },
    call(t, r) {
      if (t < span.startS || t >= span.endS || !r.chance(share)) return null;
      pending = nextTarget(run);
      if (!pending) return null;
      const kind = r.chance(0.5) ? 'cot' : 'bulk';
      return H.harvestCall({ ...run.spec, kind }, pending, style, r, 'frontier-large', null);
    },
    sent(_call, event) {
      record(run, pending ?? undefined, event);
    },
  });
  run.accounts.push(source.account);
  return source;
}

import type { MoatEvent } from '../core/event.js';
import type { Corpus } from '../data/corpus.js';
import type { TraceBank } from '../data/traces.js';
import { callToEvent, type Call, type Sender } from './call.js';
import { createCampaign, type CampaignRun } from './campaigns.js';
import { MinHeap } from './heap.js';
import { opaque, type Identity } from './identity.js';
import { LegitSource } from './legit.js';
import { PROFILES } from './profiles-hard.js';
import { Rng } from './rng.js';
import type { Scenario } from './scenario.js';
import type { Label, SimContext, Source } from './types.js';
import type { World } from './world.js';

export type { Label, SimContext, Source } from './types.js';

/** Whether an account's next request would be refused (see SimOptions.isStopped). */
export type StopHook = (account: string, paymentFp: string) => boolean;

/** Options of a simulation run. */
export interface SimOptions {
  seed: string | number;
  corpus: Corpus;
  traces: TraceBank;
  /**
   * Closed loop, asked before each request with the account and its payment fingerprint: a
   * stopped account sends nothing more; a hydra replaces it at once.
   */
  isStopped?: StopHook;
  /** Sees each call with the event made from it (tests use it to check prompt-set roles). */
  onCall?: (call: Call, event: MoatEvent) => void;
}

/**
 * A scenario's traffic as an iterator of `moat.event.v1` events in time order. Deterministic
 * for a seed (and, in a closed loop, for a deterministic stop hook). Account ids are opaque
 * random strings; only `labels` says which account plays which role.
 */
export class Simulation implements Iterable<MoatEvent> {
  readonly labels: Label[] = [];
  readonly campaigns: CampaignRun[] = [];
  private readonly heap = new MinHeap<Source>();
  private readonly ctx: SimContext;
  private readonly idRng: Rng;
  private stopHook: StopHook;
  private count = 0;

  constructor(
    readonly scenario: Scenario,
    opts: SimOptions,
  ) {
    const seed = String(opts.seed);
    const startMs = Date.parse(scenario.start);
    const world: World = {
      corpus: opts.corpus,
      traces: opts.traces,
      startMs,
      endS: scenario.days * 86_400,
      releaseS: scenario.release ? scenario.release.day * 86_400 : null,
      newModel: scenario.release?.model ?? null,
    };
    this.idRng = Rng.derive(seed, 'ids');
    this.stopHook = opts.isStopped ?? (() => false);
    this.ctx = {
      world,
      seed,
      isStopped: (s) => this.stopHook(s.account, s.identity.paymentFp),
      newSender: (label, identity, tier) => this.newSender(label, identity, tier),
      rngFor: (label) => Rng.derive(seed, label),
      toEvent: (call, sender, t, rng) => {
        const event = callToEvent(call, sender, startMs + t * 1000, world.corpus, rng);
        opts.onCall?.(call, event);
        return event;
      },
    };
    this.populate();
  }

  /** Sets the closed-loop hook (the benchmark sets it after building the detector). */
  setStopHook(fn: StopHook): void {
    this.stopHook = fn;
  }

  /** Events produced so far. */
  get events(): number {
    return this.count;
  }

  /** The next event in time order, or null when the scenario is over. */
  next(): MoatEvent | null {
    for (;;) {
      const top = this.heap.pop();
      if (!top) return null;
      const source = top.value;
      const event = source.fire(this.ctx);
      if (source.nextS !== null && source.nextS < this.ctx.world.endS) {
        this.heap.push(source.nextS, source);
      }
      if (event) {
        this.count++;
        return event;
      }
    }
  }

  *[Symbol.iterator](): Iterator<MoatEvent> {
    for (let e = this.next(); e; e = this.next()) yield e;
  }

  private add(source: Source): void {
    if (source.nextS !== null && source.nextS < this.ctx.world.endS) {
      this.heap.push(source.nextS, source);
    }
  }

  private newSender(label: Omit<Label, 'account'>, identity: Identity, tier: string): Sender {
    const account = opaque('acct', this.idRng, 12);
    this.labels.push({ account, ...label });
    return { account, key: opaque('key', this.idRng, 12), tier, identity };
  }

  private populate(): void {
    const { scenario, ctx } = this;
    scenario.tenants.forEach((tenant, ti) => {
      const profile = PROFILES[tenant.profile];
      for (let i = 0; i < tenant.accounts; i++) {
        const rng = ctx.rngFor(`tenant-${ti}-${i}`);
        const perDay = rng.logNormal(tenant.per_day, tenant.spread ?? 1);
        this.add(new LegitSource(ctx, profile, rng, perDay));
      }
    });
    scenario.campaigns.forEach((spec, ci) => {
      const run = createCampaign(spec, ctx, ctx.rngFor(`campaign-${ci}`));
      this.campaigns.push(run);
      for (const s of run.sources) this.add(s);
    });
  }
}

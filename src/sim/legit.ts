import type { Message, MoatEvent } from '../core/event.js';
import { clip, type Call, type Sender } from './call.js';
import { customerIdentity } from './identity.js';
import type { Profile } from './profiles.js';
import type { Rng } from './rng.js';
import type { Label, SimContext, Source } from './types.js';
import type { AccountState } from './world.js';

/** Lets a campaign slip its own calls into an otherwise legitimate account's traffic. */
export interface MixHook {
  label: Omit<Label, 'account'>;
  /** A harvesting call to send instead of the account's own, or null. */
  call(t: number, rng: Rng): Call | null;
  sent(call: Call, event: MoatEvent): void;
}

/** One legitimate account: its profile's requests on its arrival process, with follow-ups. */
export class LegitSource implements Source {
  nextS: number | null;
  private readonly sender: Sender;
  private readonly state: AccountState;
  /** The account id this source sends as. */
  readonly account: string;
  private readonly arrivals;
  private nextArrival: number | null;
  private followAt: number | null = null;
  private lastCall: Call | null = null;

  constructor(
    ctx: SimContext,
    private readonly profile: Profile,
    private readonly rng: Rng,
    perDay: number,
    private readonly mix?: MixHook,
  ) {
    const { world } = ctx;
    const hosts = rng.range(...profile.hosts);
    const identity = customerIdentity(rng, world.startMs, profile.address, hosts);
    const tier = rng.pick(profile.tiers);
    const label = mix?.label ?? { label: 'legit' as const, profile: profile.name };
    this.sender = ctx.newSender(label, identity, tier);
    this.account = this.sender.account;
    const adoptDelay =
      profile.hardNegative && profile.name === 'eval-harness' ? 0 : rng.logNormal(3, 1);
    this.state = {
      rng,
      world,
      traits: profile.traits(rng),
      baseModel: rng.weighted(['frontier-large', 'frontier-mini'], [3, 1]),
      adoptS: (world.releaseS ?? 0) + adoptDelay * 86_400,
    };
    this.arrivals = profile.arrivals(rng, world, perDay);
    this.nextArrival = this.arrivals.next(0);
    this.nextS = this.nextArrival;
  }

  fire(ctx: SimContext): MoatEvent | null {
    const t = this.nextS as number;
    if (ctx.isStopped(this.sender.account)) {
      this.nextS = null;
      return null;
    }

    const isFollow = this.followAt !== null && t === this.followAt;
    const mixed = isFollow ? null : (this.mix?.call(t, this.rng) ?? null);
    const call = mixed ?? (isFollow ? this.followCall() : this.profile.start(this.state, t));
    const event = ctx.toEvent(call, this.sender, t, this.rng);
    if (mixed) this.mix?.sent(mixed, event);
    else this.remember(call, event);

    if (isFollow) this.followAt = null;
    else this.nextArrival = this.arrivals.next(t);
    this.scheduleFollowUp(t);
    this.nextS = this.earliest();
    return event;
  }

  private followCall(): Call {
    const last = this.lastCall as Call;
    const convo = this.state.convo;
    const text = this.profile.followUp?.next(this.state) ?? 'Thanks.';
    const lengthHint = this.rng.range(40, 300);
    return { ...last, history: convo?.history ?? [], user: text, item: undefined, lengthHint };
  }

  private remember(call: Call, event: MoatEvent): void {
    this.lastCall = call;
    const convo = this.state.convo;
    if (!convo) return;
    const turn: Message[] = [
      { role: 'user', content: call.user },
      { role: 'assistant', content: clip(event.output?.text ?? '') },
    ];
    convo.history.push(...turn);
    convo.turns++;
  }

  private scheduleFollowUp(t: number): void {
    const f = this.profile.followUp;
    if (!f || !this.state.convo || this.state.convo.turns >= f.maxTurns) return;
    if (!this.rng.chance(f.p)) return;
    this.followAt = t + this.rng.range(f.gapS[0], f.gapS[1]);
  }

  private earliest(): number | null {
    const a = this.nextArrival;
    const b = this.followAt;
    if (a === null) return b;
    if (b === null) return a;
    return Math.min(a, b);
  }
}

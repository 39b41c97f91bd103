import type { Message, MoatEvent } from '../core/event.js';
import { clip, type Call, type Sender } from './call.js';
import { customerIdentity } from './identity.js';
import type { Profile } from './profiles.js';
import type { Rng } from './rng.js';
import type { Label, SimContext, Source } from './types.js';
import type { AccountState, Conversation } from './world.js';

const MAX_PENDING = 256;

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
  /** Conversations waiting for their next turn, earliest first (an app has many users). */
  private readonly pending: { at: number; convo: Conversation; call: Call }[] = [];
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
    // Follow-ups come on top of new conversations: keep the account's total near perDay.
    const newShare = 1 - (profile.followUp?.p ?? 0);
    this.arrivals = profile.arrivals(rng, world, perDay * newShare);
    this.nextArrival = this.arrivals.next(0);
    this.nextS = this.nextArrival;
  }

  fire(ctx: SimContext): MoatEvent | null {
    const t = this.nextS as number;
    if (ctx.isStopped(this.sender)) {
      this.nextS = null;
      return null;
    }

    const follow = this.pending[0]?.at === t ? this.pending.shift() : undefined;
    this.state.convo = follow?.convo;
    const mixed = follow ? null : (this.mix?.call(t, this.rng) ?? null);
    const call = follow
      ? this.followCall(follow.call, follow.convo)
      : (mixed ?? this.profile.start(this.state, t));
    const event = ctx.toEvent(call, this.sender, t, this.rng);
    if (mixed) this.mix?.sent(mixed, event);
    else this.remember(call, event, t);

    if (!follow) this.nextArrival = this.arrivals.next(t);
    const due = this.pending[0]?.at ?? null;
    this.nextS =
      this.nextArrival === null
        ? due
        : due === null
          ? this.nextArrival
          : Math.min(due, this.nextArrival);
    return event;
  }

  private followCall(last: Call, convo: Conversation): Call {
    const text = this.profile.followUp?.next(this.state) ?? 'Thanks.';
    const lengthHint = this.rng.range(40, 300);
    return { ...last, history: convo.history, user: text, item: undefined, lengthHint };
  }

  /** Adds the turn to its conversation and, by the profile's odds, schedules the next turn. */
  private remember(call: Call, event: MoatEvent, t: number): void {
    const convo = this.state.convo;
    if (!convo) return;
    const turn: Message[] = [
      { role: 'user', content: call.user },
      { role: 'assistant', content: clip(event.output?.text ?? '') },
    ];
    convo.history.push(...turn);
    convo.turns++;

    const f = this.profile.followUp;
    if (!f || convo.turns >= f.maxTurns || this.pending.length >= MAX_PENDING) return;
    if (!this.rng.chance(f.p)) return;
    const at = t + this.rng.range(f.gapS[0], f.gapS[1]);
    let k = this.pending.length;
    while (k > 0 && this.pending[k - 1].at > at) k--;
    this.pending.splice(k, 0, { at, convo, call });
  }
}

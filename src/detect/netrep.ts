import type { Profile } from './profile.js';

/** Networks tracked at most; beyond this new networks are not counted (memory bound). */
const MAX_NETS = 200_000;

/** Accounts seen on a network and how many of them were blocked. */
export interface NetStanding {
  accounts: number;
  blocked: number;
}

/**
 * How many accounts each network prefix (/24) carried and how many of them the engine blocked:
 * the reputation of an account's neighbourhood. Constant work per event.
 */
export class NetReputation {
  private readonly accounts = new Map<number, number>();
  private readonly blocked = new Map<number, number>();

  /** Counts an account on a network it was just seen on for the first time. */
  seen(net: number): void {
    const n = this.accounts.get(net);
    if (n !== undefined) this.accounts.set(net, n + 1);
    else if (this.accounts.size < MAX_NETS) this.accounts.set(net, 1);
  }

  /** Counts a newly blocked account on each of its networks. */
  block(p: Profile): void {
    for (let i = 0; i < Math.min(p.netCount, p.nets.length); i++) {
      const net = p.nets[i];
      if (!this.accounts.has(net)) continue;
      this.blocked.set(net, (this.blocked.get(net) ?? 0) + 1);
    }
  }

  /** The standing of the profile's network with the most blocked accounts. */
  worst(p: Profile): NetStanding {
    let best: NetStanding = { accounts: 0, blocked: 0 };
    for (let i = 0; i < Math.min(p.netCount, p.nets.length); i++) {
      const blocked = this.blocked.get(p.nets[i]) ?? 0;
      if (blocked <= best.blocked) continue;
      best = { accounts: this.accounts.get(p.nets[i]) ?? blocked, blocked };
    }
    return best;
  }
}

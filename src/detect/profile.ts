import type { EventFeatures } from './features.js';
import { EMPTY_BIN, MINHASH_K, VEC_DIM } from './features.js';
import { hash32 } from './hash.js';
import { TOPICS } from './topics.js';

/** Prompts kept per profile for near-duplicate, distance and distribution tests. */
export const RING = 48;
const HOURS = 168;
const HOUR_MS = 3_600_000;
const TEMPLATE_SLOTS = 12;
const NET_SLOTS = 16;
const UA_SLOTS = 8;
/**
 * Events closer than this belong to one burst (concurrency, a batch); timing regularity is
 * measured between the starts of bursts, so a busy account is not mistaken for a paced one.
 */
const MIN_GAP_MS = 5000;
/** Bins both prompts must fill before a near-duplicate can be declared. */
const NEAR_DUP_MIN_BINS = 4;
/** Most recent prompts a new prompt's nearest distance is measured against. */
const DISTANCE_PROMPTS = 32;
/**
 * Prompts in the long window of the mixed-traffic test (exponentially weighted): long enough
 * that a harvesting share of a few percent inside a busy account adds up to a clear excess.
 */
export const LONG_WINDOW = 1500;
const LONG_DECAY = 1 - 1 / LONG_WINDOW;

/** Indices of the exponentially weighted shares kept per profile. */
export const Ew = {
  Cot: 0,
  Rubric: 1,
  SingleTurn: 2,
  Logprobs: 3,
  TopLogprobs: 4,
  LogitBias: 5,
  ManyChoices: 6,
  NearDup: 7,
  TemplateRepeat: 8,
  NewModel: 9,
  LogRatio: 10,
  ShortOutput: 11,
  ScriptClient: 12,
  Burst: 13,
} as const;

/** One of the shares in `Ew`. */
export type Ew = (typeof Ew)[keyof typeof Ew];
const EW_COUNT = 14;

/** Shares computed over prompts with text (the rest over all events). */
const TEXT_ONLY = new Set<number>([Ew.Cot, Ew.Rubric, Ew.NearDup, Ew.TemplateRepeat]);

/**
 * The bounded behavioural state of one account or one cluster: counters, exponentially weighted
 * shares (a sliding window in effect, so a change of behaviour shows), an hourly ring, and fixed
 * rings of recent prompt sketches. Size is fixed whatever the volume (about 6 KB); every update
 * is constant time.
 */
export class Profile {
  n = 0;
  nText = 0;
  firstMs = NaN;
  lastMs = NaN;
  tier = 'default';
  readonly ew = new Float64Array(EW_COUNT);
  ewW = 0;
  ewTextW = 0;
  gapN = 0;
  /** Start of the current burst of events. */
  burstMs = NaN;
  gapW = 0;
  gapMean = 0;
  gapSq = 0;
  readonly hours = new Uint16Array(HOURS);
  hourHead = -1;
  firstHour = -1;
  activeHours = 0;
  readonly hourOfDay = new Float64Array(24);
  readonly minhashes = new Uint32Array(RING * MINHASH_K);
  readonly vecs = new Int8Array(RING * VEC_DIM);
  readonly minDist = new Float32Array(RING);
  ringCount = 0;
  readonly tplKeys = new Uint32Array(TEMPLATE_SLOTS);
  readonly tplCounts = new Uint32Array(TEMPLATE_SLOTS);
  readonly topics = new Uint32Array(TOPICS.length);
  topicTotal = 0;
  readonly nets = new Uint32Array(NET_SLOTS);
  netCount = 0;
  readonly uas = new Uint32Array(UA_SLOTS);
  uaCount = 0;
  /** Calendar day (UTC) of the newest event, and events in it. */
  day = -1;
  dayCount = 0;
  /** Events of the day that the last update closed, or -1; read and reset by the engine. */
  closedDay = -1;
  /** Events of the active hour that the last update closed, or -1; read and reset likewise. */
  closedHour = -1;
  /** Cached results of the sampled tests (NaN until computed). */
  mmd = NaN;
  normality = NaN;
  sinceMmd = 0;
  /** Weight of the long window and its prompts asking for reasoning or grading. */
  longW = 0;
  longElicit = 0;

  constructor(private readonly decay: number) {}

  /** Folds one event into the profile. `newModel`: the event uses a model released < 1 day ago. */
  update(f: EventFeatures, newModel: boolean): void {
    this.tier = f.tier;
    const burst = !Number.isNaN(this.lastMs) && f.tsMs - this.lastMs < MIN_GAP_MS;
    this.updateTime(f.tsMs);
    this.n++;

    const d = this.decay;
    this.ewW = this.ewW * d + 1;
    const ew = this.ew;
    const single = f.userTurns <= 1 && f.assistantTurns === 0;
    this.push(Ew.SingleTurn, single ? 1 : 0);
    this.push(Ew.Logprobs, f.logprobs ? 1 : 0);
    this.push(Ew.TopLogprobs, f.topLogprobs >= 10 ? 1 : 0);
    this.push(Ew.LogitBias, f.logitBias >= 20 ? 1 : 0);
    this.push(Ew.ManyChoices, f.n > 1 ? 1 : 0);
    this.push(Ew.NewModel, newModel ? 1 : 0);
    this.push(Ew.LogRatio, Math.log((f.outTok + 1) / (f.inTok + 1)));
    this.push(Ew.ShortOutput, f.outTok <= 2 ? 1 : 0);
    this.push(Ew.ScriptClient, f.scriptClient ? 1 : 0);
    this.push(Ew.Burst, burst ? 1 : 0);
    remember(this.nets, hash32(f.net), this, 'netCount');
    remember(this.uas, hash32(f.ua), this, 'uaCount');
    if (!f.text) return;

    this.nText++;
    this.ewTextW = this.ewTextW * d + 1;
    const t = f.text;
    ew[Ew.Cot] = ew[Ew.Cot] * d + (t.cot ? 1 : 0);
    ew[Ew.Rubric] = ew[Ew.Rubric] * d + (t.rubric ? 1 : 0);
    this.longW = this.longW * LONG_DECAY + 1;
    this.longElicit = this.longElicit * LONG_DECAY + (t.cot || t.rubric ? 1 : 0);
    ew[Ew.NearDup] = ew[Ew.NearDup] * d + (this.hasNearDuplicate(t.minhash) ? 1 : 0);
    const seenHead = this.countTemplate(t.head);
    const seenTail = t.tail !== t.head && this.countTemplate(t.tail);
    ew[Ew.TemplateRepeat] = ew[Ew.TemplateRepeat] * d + (seenHead || seenTail ? 1 : 0);
    if (t.topic >= 0) {
      this.topics[t.topic]++;
      this.topicTotal++;
    }
    this.pushPrompt(t.minhash, t.vec);
    this.sinceMmd++;
  }

  /** The exponentially weighted share (or mean) of one indicator. */
  share(i: Ew): number {
    const w = TEXT_ONLY.has(i) ? this.ewTextW : this.ewW;
    return w > 0 ? this.ew[i] / w : 0;
  }

  /** Events in the 24 hours up to the newest event. */
  lastDayEvents(): number {
    let sum = 0;
    for (let k = 0; k < 24 && k <= this.hourHead; k++)
      sum += this.hours[(this.hourHead - k) % HOURS];
    return sum;
  }

  /** Hours spanned by the hourly ring (at most one week). */
  spanHours(): number {
    if (this.hourHead < 0) return 0;
    return Math.min(HOURS, this.hourHead - this.firstHour + 1);
  }

  /** Standard deviation of log intervals between burst starts; NaN with fewer than 20. */
  gapLogStd(): number {
    if (this.gapN < 20 || this.gapW === 0) return NaN;
    const mean = this.gapMean / this.gapW;
    return Math.sqrt(Math.max(0, this.gapSq / this.gapW - mean * mean));
  }

  /** The most repeated template's share of text prompts (Misra-Gries lower bound). */
  topTemplate(): { key: number; count: number } {
    let best = 0;
    for (let i = 1; i < TEMPLATE_SLOTS; i++) if (this.tplCounts[i] > this.tplCounts[best]) best = i;
    return { key: this.tplKeys[best], count: this.tplCounts[best] };
  }

  /**
   * Adds another profile's counts into this one, for clusters formed by linking. Counters,
   * shares and histograms add; the prompt rings and hourly ring of `this` are kept.
   */
  absorb(o: Profile): void {
    this.n += o.n;
    this.nText += o.nText;
    if (!(this.firstMs <= o.firstMs)) this.firstMs = o.firstMs;
    if (!(this.lastMs >= o.lastMs)) this.lastMs = o.lastMs;
    for (let i = 0; i < EW_COUNT; i++) this.ew[i] += o.ew[i];
    this.ewW += o.ewW;
    this.ewTextW += o.ewTextW;
    this.longW += o.longW;
    this.longElicit += o.longElicit;
    this.gapN += o.gapN;
    this.gapW += o.gapW;
    this.gapMean += o.gapMean;
    this.gapSq += o.gapSq;
    for (let h = 0; h < 24; h++) this.hourOfDay[h] += o.hourOfDay[h];
    for (let t = 0; t < this.topics.length; t++) this.topics[t] += o.topics[t];
    this.topicTotal += o.topicTotal;
    for (let i = 0; i < Math.min(o.netCount, o.nets.length); i++) {
      remember(this.nets, o.nets[i], this, 'netCount');
    }
    for (let i = 0; i < Math.min(o.uaCount, o.uas.length); i++) {
      remember(this.uas, o.uas[i], this, 'uaCount');
    }
    if (this.hourHead < 0) this.copyHours(o);
  }

  private copyHours(o: Profile): void {
    this.hours.set(o.hours);
    this.hourHead = o.hourHead;
    this.firstHour = o.firstHour;
    this.activeHours = o.activeHours;
  }

  private push(i: Ew, v: number): void {
    this.ew[i] = this.ew[i] * this.decay + v;
  }

  private updateTime(ms: number): void {
    if (Number.isNaN(this.firstMs)) {
      this.firstMs = ms;
      this.burstMs = ms;
    }
    if (!Number.isNaN(this.lastMs) && ms - this.lastMs >= MIN_GAP_MS) {
      const lg = Math.log((ms - this.burstMs) / 1000);
      this.burstMs = ms;
      this.gapN++;
      this.gapW = this.gapW * this.decay + 1;
      this.gapMean = this.gapMean * this.decay + lg;
      this.gapSq = this.gapSq * this.decay + lg * lg;
    }
    if (Number.isNaN(this.lastMs) || ms > this.lastMs) this.lastMs = ms;

    const hour = Math.floor(ms / HOUR_MS);
    this.hourOfDay[hour % 24]++;
    const day = Math.floor(hour / 24);
    if (day > this.day) {
      if (this.day >= 0) this.closedDay = this.dayCount;
      this.day = day;
      this.dayCount = 0;
    }
    this.dayCount++;
    if (this.hourHead < 0) {
      this.hourHead = hour;
      this.firstHour = hour;
    }
    if (hour > this.hourHead) {
      this.closedHour = this.hours[this.hourHead % HOURS];
      for (let h = this.hourHead + 1; h <= hour && h <= this.hourHead + HOURS; h++) {
        if (this.hours[h % HOURS] > 0) this.activeHours--;
        this.hours[h % HOURS] = 0;
      }
      this.hourHead = hour;
    }
    if (hour <= this.hourHead - HOURS) return;
    if (this.hours[hour % HOURS] === 0) this.activeHours++;
    if (this.hours[hour % HOURS] < 65535) this.hours[hour % HOURS]++;
  }

  private hasNearDuplicate(mh: Uint32Array): boolean {
    const count = Math.min(this.ringCount, RING);
    const kept = this.minhashes;
    for (let r = 0; r < count; r++) {
      const base = r * MINHASH_K;
      let agree = 0;
      let both = 0;
      for (let k = 0; k < MINHASH_K; k++) {
        const v = kept[base + k];
        const w = mh[k];
        if (v === EMPTY_BIN || w === EMPTY_BIN) continue;
        both++;
        if (v === w) agree++;
      }
      if (both >= NEAR_DUP_MIN_BINS && 2 * agree >= both) return true;
    }
    return false;
  }

  /** Misra-Gries update; true when the template was already being counted. */
  private countTemplate(key: number): boolean {
    const keys = this.tplKeys;
    const counts = this.tplCounts;
    for (let i = 0; i < TEMPLATE_SLOTS; i++) {
      if (counts[i] > 0 && keys[i] === key) {
        counts[i]++;
        return true;
      }
    }
    for (let i = 0; i < TEMPLATE_SLOTS; i++) {
      if (counts[i] > 0) continue;
      keys[i] = key;
      counts[i] = 1;
      return false;
    }
    for (let i = 0; i < TEMPLATE_SLOTS; i++) counts[i]--;
    return false;
  }

  private pushPrompt(mh: Uint32Array, vec: Int8Array): void {
    const slot = this.ringCount % RING;
    this.minDist[slot] = this.nearestDistance(vec);
    this.minhashes.set(mh, slot * MINHASH_K);
    this.vecs.set(vec, slot * VEC_DIM);
    this.ringCount++;
  }

  /** Euclidean distance (unit vectors) from `vec` to the closest recent prompt; NaN if none. */
  private nearestDistance(vec: Int8Array): number {
    const count = Math.min(this.ringCount, DISTANCE_PROMPTS);
    if (count === 0) return NaN;
    let best = -Infinity;
    const vecs = this.vecs;
    for (let i = 0; i < count; i++) {
      const base = ((this.ringCount - 1 - i) % RING) * VEC_DIM;
      let dot = 0;
      for (let k = 0; k < VEC_DIM; k++) dot += vecs[base + k] * vec[k];
      if (dot > best) best = dot;
    }
    return Math.sqrt(Math.max(0, 2 - (2 * best) / (127 * 127)));
  }
}

/** Adds a hash to a small fixed set; counts distinct values up to the set's size. */
function remember(set: Uint32Array, h: number, p: Profile, field: 'netCount' | 'uaCount'): void {
  const count = Math.min(p[field], set.length);
  for (let i = 0; i < count; i++) if (set[i] === h) return;
  if (p[field] < set.length) set[p[field]] = h;
  if (p[field] <= set.length) p[field]++;
}

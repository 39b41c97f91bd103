/**
 * Puts slightly out-of-order events back in time order: holds up to `capacity` items in a
 * min-heap on time and releases the earliest once full. Ties keep arrival order, so the output
 * is deterministic. Items later than `capacity` positions come out late, and are counted.
 */
export class ReorderBuffer<T> {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private seq = 0;
  private lastOut = -Infinity;
  /** Items released after a later one had already been released. */
  late = 0;

  constructor(private readonly capacity: number) {}

  /** Adds an item; returns the item released to keep within capacity, if any. */
  push(key: number, item: T): T | undefined {
    this.keys.push(key);
    this.seqs.push(this.seq++);
    this.items.push(item);
    this.up(this.keys.length - 1);
    return this.keys.length > this.capacity ? this.pop() : undefined;
  }

  /** Releases the earliest item, or undefined when empty. */
  pop(): T | undefined {
    if (this.keys.length === 0) return undefined;
    const key = this.keys[0];
    const item = this.items[0];
    const last = this.keys.length - 1;
    this.swap(0, last);
    this.keys.pop();
    this.seqs.pop();
    this.items.pop();
    this.down(0);
    if (key < this.lastOut) this.late++;
    else this.lastOut = key;
    return item;
  }

  get size(): number {
    return this.keys.length;
  }

  private less(i: number, j: number): boolean {
    return (
      this.keys[i] < this.keys[j] || (this.keys[i] === this.keys[j] && this.seqs[i] < this.seqs[j])
    );
  }

  private swap(i: number, j: number): void {
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
    [this.seqs[i], this.seqs[j]] = [this.seqs[j], this.seqs[i]];
    [this.items[i], this.items[j]] = [this.items[j], this.items[i]];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      let m = i;
      if (l < this.keys.length && this.less(l, m)) m = l;
      if (l + 1 < this.keys.length && this.less(l + 1, m)) m = l + 1;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/**
 * Payment fingerprint -> cluster, for clusters at an enforced level (above `allow`). Only
 * fingerprints that a cluster verdict lists are held: ones shared by two or more of the
 * cluster's accounts. The request path reads it with one map lookup.
 */
export class PaymentIndex {
  private readonly byFp = new Map<string, string>();
  private readonly byCluster = new Map<string, readonly string[]>();

  /** Number of indexed fingerprints; zero keeps `decide` on its common path. */
  get size(): number {
    return this.byFp.size;
  }

  /** The enforced cluster that pays with `fp`, if any. */
  clusterOf(fp: string): string | undefined {
    return this.byFp.get(fp);
  }

  /** Indexes a cluster's fingerprints, replacing what it had; an empty list removes it. */
  set(cluster: string, fps: readonly string[]): void {
    this.remove(cluster);
    if (fps.length === 0) return;
    this.byCluster.set(cluster, fps);
    for (const fp of fps) this.byFp.set(fp, cluster);
  }

  /** Removes a cluster's fingerprints (it relaxed to `allow` or was reset). */
  remove(cluster: string): void {
    const fps = this.byCluster.get(cluster);
    if (!fps) return;
    this.byCluster.delete(cluster);
    for (const fp of fps) if (this.byFp.get(fp) === cluster) this.byFp.delete(fp);
  }
}

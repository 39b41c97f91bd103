/**
 * Prometheus text exposition, written here rather than pulled in: counters and histograms with
 * labels, plus gauges read at scrape time. Label values are joined into one map key, so an
 * increment on the request path is a string join and a map update.
 */

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escape(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** A monotonically increasing count, by label values. */
export class Counter {
  private readonly values = new Map<string, { labels: string[]; n: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  /** Adds `by` (default 1) to the series with these label values, in `labelNames` order. */
  inc(labelValues: readonly string[] = [], by = 1): void {
    const key = labelValues.join('\u0001');
    const cur = this.values.get(key);
    if (cur) cur.n += by;
    else this.values.set(key, { labels: [...labelValues], n: by });
  }

  /** The current value of one series (0 when never incremented). */
  get(labelValues: readonly string[] = []): number {
    return this.values.get(labelValues.join('\u0001'))?.n ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0 && this.labelNames.length === 0) lines.push(`${this.name} 0`);
    for (const { labels, n } of this.values.values()) {
      lines.push(`${this.name}${labelText(this.labelNames, labels)} ${n}`);
    }
    return lines.join('\n');
  }
}

/** Observations sorted into cumulative buckets, by label values. */
export class Histogram {
  private readonly series = new Map<string, { labels: string[]; counts: number[]; sum: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {}

  observe(labelValues: readonly string[], value: number): void {
    const key = labelValues.join('\u0001');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: [...labelValues], counts: new Array(this.buckets.length + 1).fill(0), sum: 0 };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i++;
    s.counts[i]++;
    s.sum += value;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += counts[i];
        const le = labelText(this.labelNames, labels, `le="${this.buckets[i]}"`);
        lines.push(`${this.name}_bucket${le} ${cumulative}`);
      }
      cumulative += counts[this.buckets.length];
      lines.push(
        `${this.name}_bucket${labelText(this.labelNames, labels, 'le="+Inf"')} ${cumulative}`,
      );
      lines.push(`${this.name}_sum${labelText(this.labelNames, labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(this.labelNames, labels)} ${cumulative}`);
    }
    return lines.join('\n');
  }
}

/** A value read when scraped (queue depth, in-flight requests). */
export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read: () => number,
  ) {}

  render(): string {
    const head = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge`;
    return `${head}\n${this.name} ${this.read()}`;
  }
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The gateway's metrics, rendered at `/metrics`. */
export class GatewayMetrics {
  readonly requests = new Counter(
    'moat_requests_total',
    'Proxied API calls by route, status and tier.',
    ['route', 'status', 'tier'],
  );
  readonly latency = new Histogram(
    'moat_request_duration_seconds',
    'Time from request start to the last byte of the response, by route.',
    LATENCY_BUCKETS,
    ['route'],
  );
  readonly upstreamErrors = new Counter(
    'moat_upstream_errors_total',
    'Calls the backend refused, reset or answered too slowly, by kind.',
    ['kind'],
  );
  readonly limited = new Counter(
    'moat_limited_total',
    'Calls refused by a limit (429), by limit.',
    ['limit'],
  );
  readonly eventsDropped = new Counter(
    'moat_events_dropped_total',
    'Events dropped because the queue was full (on_full: drop) or a spill write failed.',
  );
  readonly eventsSpilled = new Counter(
    'moat_events_spilled_total',
    'Events written to the spill file because the queue was full or the store failed.',
  );
  readonly eventsWritten = new Counter('moat_events_written_total', 'Events written to the store.');
  private readonly gauges: Gauge[] = [];

  /** Adds a gauge read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push(new Gauge(name, help, read));
  }

  /** The whole exposition, Prometheus text format 0.0.4. */
  render(): string {
    const parts = [
      this.requests,
      this.latency,
      this.upstreamErrors,
      this.limited,
      this.eventsDropped,
      this.eventsSpilled,
      this.eventsWritten,
      ...this.gauges,
    ].map((m) => m.render());
    return `${parts.join('\n')}\n`;
  }
}

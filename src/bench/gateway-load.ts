import { Pool } from 'undici';

/** One kind of request, sent identically to every proxy under test. */
export interface LoadTarget {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** What one closed-loop slice achieved. */
export interface SliceResult {
  completed: number;
  errors: number;
  elapsedMs: number;
}

/** Latencies (send to last byte, ms) of one open-loop slice. */
export interface RateSlice {
  latencies: number[];
  errors: number;
}

/**
 * The benchmark's load generator: one undici Pool per target, reused across slices so
 * connection set-up is not measured. Every loop is bounded by its duration.
 */
export class LoadClient {
  private readonly pool: Pool;

  constructor(
    private readonly t: LoadTarget,
    private readonly connections: number,
  ) {
    this.pool = new Pool(t.url, { connections: Math.max(connections, 256), pipelining: 1 });
  }

  private async once(): Promise<boolean> {
    const res = await this.pool.request({
      method: 'POST',
      path: this.t.path,
      headers: this.t.headers,
      body: this.t.body,
    });
    for await (const _ of res.body);
    return res.statusCode === 200;
  }

  /** Keeps `connections` calls in flight for `durationMs` and counts completions. */
  async saturate(durationMs: number): Promise<SliceResult> {
    const started = performance.now();
    const end = started + durationMs;
    let completed = 0;
    let errors = 0;
    const worker = async () => {
      while (performance.now() < end) {
        try {
          if (await this.once()) completed++;
          else errors++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: this.connections }, worker));
    return { completed, errors, elapsedMs: performance.now() - started };
  }

  /**
   * Sends calls at a fixed rate for `durationMs` (open loop: the schedule does not wait for
   * answers) and returns the latency of each.
   */
  async fixedRate(rate: number, durationMs: number): Promise<RateSlice> {
    const latencies: number[] = [];
    let errors = 0;
    let sent = 0;
    const pending: Promise<void>[] = [];
    const total = Math.floor((durationMs * rate) / 1000);
    const started = performance.now();
    const fire = () => {
      const t0 = performance.now();
      const done = this.once().then(
        (ok) => {
          if (ok) latencies.push(performance.now() - t0);
          else errors++;
        },
        () => {
          errors++;
        },
      );
      pending.push(done);
    };

    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
        while (sent < due) {
          sent++;
          fire();
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    await Promise.all(pending);
    return { latencies, errors };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Median of values (not necessarily sorted). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

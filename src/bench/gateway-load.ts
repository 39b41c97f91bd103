import { Pool } from 'undici';

/** One kind of request, sent identically to every proxy under test. */
export interface LoadTarget {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Closed-loop result: completed calls per second with every connection kept busy. */
export interface SaturationResult {
  rps: number;
  completed: number;
  /** Calls completed during the warm-up (counted for CPU per request, not for rps). */
  warmupCompleted: number;
  errors: number;
}

/** Open-loop result at a fixed arrival rate. */
export interface RateResult {
  rate: number;
  completed: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

async function once(pool: Pool, t: LoadTarget): Promise<boolean> {
  const res = await pool.request({
    method: 'POST',
    path: t.path,
    headers: t.headers,
    body: t.body,
  });
  for await (const _ of res.body);
  return res.statusCode === 200;
}

/**
 * Keeps `connections` calls in flight for `durationMs` (after a warm-up) and counts completions:
 * throughput at saturation. Bounded by the duration; a call in flight at the end is awaited.
 */
export async function saturate(
  t: LoadTarget,
  opts: { connections: number; durationMs: number; warmupMs: number },
): Promise<SaturationResult> {
  const pool = new Pool(t.url, { connections: opts.connections, pipelining: 1 });
  try {
    const warm = await loop(pool, t, opts.connections, opts.warmupMs);
    const started = performance.now();
    const { completed, errors } = await loop(pool, t, opts.connections, opts.durationMs);
    const elapsed = performance.now() - started;
    return {
      rps: (completed * 1000) / elapsed,
      completed,
      warmupCompleted: warm.completed,
      errors,
    };
  } finally {
    await pool.close();
  }
}

async function loop(pool: Pool, t: LoadTarget, workers: number, durationMs: number) {
  const end = performance.now() + durationMs;
  let completed = 0;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        if (await once(pool, t)) completed++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { completed, errors };
}

/**
 * Sends calls at a fixed rate for `durationMs` (open loop: the schedule does not wait for
 * answers) and reports latency percentiles from send to the last byte of the response.
 */
export async function fixedRate(
  t: LoadTarget,
  opts: { rate: number; durationMs: number; warmupMs: number },
): Promise<RateResult> {
  const pool = new Pool(t.url, { connections: 256, pipelining: 1 });
  try {
    await openLoop(pool, t, opts.rate, opts.warmupMs);
    const { latencies, errors } = await openLoop(pool, t, opts.rate, opts.durationMs);
    latencies.sort((a, b) => a - b);
    const pick = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
    return {
      rate: opts.rate,
      completed: latencies.length,
      errors,
      p50Ms: pick(0.5),
      p99Ms: pick(0.99),
      meanMs: mean,
    };
  } finally {
    await pool.close();
  }
}

async function openLoop(pool: Pool, t: LoadTarget, rate: number, durationMs: number) {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const fire = () => {
    const t0 = performance.now();
    pending.push(
      once(pool, t).then(
        (ok) => (ok ? latencies.push(performance.now() - t0) : errors++, undefined),
        () => void errors++,
      ),
    );
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(
        Math.floor((elapsed * rate) / 1000),
        Math.floor((durationMs * rate) / 1000),
      );
      while (sent < due) {
        sent++;
        fire();
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  return { latencies, errors };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { LoadClient, median, quantile, type LoadTarget } from './gateway-load.js';

/** Settings of one benchmark run. */
export interface GatewayBenchOptions {
  /** Seconds of each slice (one proxy, one kind, saturation or fixed rate). */
  seconds: number;
  /** Slices per proxy and measure, alternating bare and Moat. */
  rounds: number;
  /** Connections kept busy at saturation. */
  connections: number;
  /** Fixed arrival rate for latency; default a quarter of the slower saturation rate. */
  rate?: number;
}

/** Figures for one body kind (JSON or SSE). */
export interface KindResult {
  bareRps: number;
  moatRps: number;
  ratio: number;
  /** CPU microseconds per request of each proxy process at saturation (noise-resistant). */
  bareCpuUs: number;
  moatCpuUs: number;
  /** CPU microseconds per request of each proxy's main thread (its event loop) alone. */
  bareMainUs: number;
  moatMainUs: number;
  rate: number;
  bare: { p50Ms: number; p99Ms: number };
  moat: { p50Ms: number; p99Ms: number };
  addedP50Ms: number;
  addedP99Ms: number;
  errors: number;
}

/** The whole run, as written by `--json`. */
export interface GatewayBenchResult {
  v: 1;
  machine: { cpus: number; node: string };
  options: GatewayBenchOptions;
  json: KindResult;
  sse: KindResult;
  /** Events Moat produced and stored during the run (capture was on). */
  events: { captured: number; stored: number };
  goals: { throughputRatio: 0.85; addedP50Ms: 0.5 };
}

const CHILD = fileURLToPath(new URL('./gateway-child.js', import.meta.url));

interface Child {
  proc: ChildProcess;
  info: { port: number; key?: string };
}

/** CPU microseconds (user + system) a child has used so far: all threads, and its main one. */
function cpuOf(c: Child): Promise<{ total: number; main: number }> {
  return new Promise((resolve) => {
    const onMessage = (msg: unknown) => {
      const m = msg as { cpu?: { user: number; system: number }; mainUs?: number };
      if (!m.cpu) return;
      c.proc.off('message', onMessage);
      resolve({ total: m.cpu.user + m.cpu.system, main: m.mainUs ?? NaN });
    };
    c.proc.on('message', onMessage);
    c.proc.send('cpu');
  });
}

async function startChild(role: string, upstream?: string): Promise<Child> {
  const proc = spawn(process.execPath, [CHILD, role, ...(upstream ? [upstream] : [])], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, MOAT_LOG_LEVEL: 'warn' },
  });
  const lines = createInterface({ input: proc.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
  return { proc, info: JSON.parse(first) };
}

function target(port: number, stream: boolean, key?: string): LoadTarget {
  const prompt = 'Summarise the following support ticket in two sentences. '.repeat(8);
  return {
    url: `http://127.0.0.1:${port}`,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key ?? 'none'}` },
    body: JSON.stringify({
      model: 'bench',
      messages: [{ role: 'user', content: prompt }],
      temperature: 0.2,
      max_tokens: 64,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    }),
  };
}

type Name = 'bare' | 'moat';

/**
 * Measures one body kind. Every round runs a slice against each proxy, alternating which goes
 * first, so drift in the machine's load (other processes) hits both alike; the throughput ratio
 * is the median of the per-round ratios, latency percentiles are over all slices pooled.
 */
async function measureKind(
  kind: 'json' | 'sse',
  procs: Record<Name, Child>,
  opts: GatewayBenchOptions,
  progress: (line: string) => void,
): Promise<KindResult> {
  const stream = kind === 'sse';
  const clients: Record<Name, LoadClient> = {
    bare: new LoadClient(target(procs.bare.info.port, stream), opts.connections),
    moat: new LoadClient(
      target(procs.moat.info.port, stream, procs.moat.info.key),
      opts.connections,
    ),
  };
  const ms = opts.seconds * 1000;
  const order = (r: number): Name[] => (r % 2 ? ['moat', 'bare'] : ['bare', 'moat']);
  try {
    // Warm-up: lets both processes reach steady state (JIT, pools, the store's first pages).
    for (const name of order(0)) await clients[name].saturate(3000);

    const rps: Record<Name, number[]> = { bare: [], moat: [] };
    const cpu: Record<Name, number[]> = { bare: [], moat: [] };
    const main: Record<Name, number[]> = { bare: [], moat: [] };
    let errors = 0;
    for (let r = 0; r < opts.rounds; r++) {
      for (const name of order(r)) {
        const cpu0 = await cpuOf(procs[name]);
        const slice = await clients[name].saturate(ms);
        const cpu1 = await cpuOf(procs[name]);
        const calls = Math.max(1, slice.completed);
        rps[name].push((slice.completed * 1000) / slice.elapsedMs);
        cpu[name].push((cpu1.total - cpu0.total) / calls);
        main[name].push((cpu1.main - cpu0.main) / calls);
        errors += slice.errors;
      }
      const [bare, moat] = [rps.bare[r].toFixed(0), rps.moat[r].toFixed(0)];
      progress(`${kind} saturation round ${r + 1}: bare ${bare}, moat ${moat} req/s`);
    }
    const bareRps = median(rps.bare);
    const moatRps = median(rps.moat);
    const ratio = median(rps.moat.map((m, i) => m / rps.bare[i]));
    const rate = opts.rate ?? Math.max(10, Math.round(Math.min(bareRps, moatRps) / 4 / 10) * 10);

    const lat: Record<Name, number[]> = { bare: [], moat: [] };
    for (let r = 0; r < opts.rounds; r++) {
      for (const name of order(r)) {
        const slice = await clients[name].fixedRate(rate, ms);
        lat[name].push(...slice.latencies);
        errors += slice.errors;
      }
      progress(`${kind} latency round ${r + 1} at ${rate} req/s done`);
    }
    const pct = (xs: number[]) => {
      const sorted = xs.sort((a, b) => a - b);
      return { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
    };
    const b = pct(lat.bare);
    const m = pct(lat.moat);
    return {
      bareRps,
      moatRps,
      ratio,
      bareCpuUs: median(cpu.bare),
      moatCpuUs: median(cpu.moat),
      bareMainUs: median(main.bare),
      moatMainUs: median(main.moat),
      rate,
      bare: b,
      moat: m,
      addedP50Ms: m.p50Ms - b.p50Ms,
      addedP99Ms: m.p99Ms - b.p99Ms,
      errors,
    };
  } finally {
    await Promise.all([clients.bare.close(), clients.moat.close()]);
  }
}

/**
 * Runs the gateway benchmark: a local backend, a bare node:http + undici proxy and Moat (event
 * capture on, SQLite writing), each in its own process. Measures, for JSON and SSE, throughput at
 * saturation and latency at a fixed rate.
 */
export async function runGatewayBench(
  opts: GatewayBenchOptions,
  progress: (line: string) => void = () => undefined,
): Promise<GatewayBenchResult> {
  const upstream = await startChild('upstream');
  const upstreamUrl = `http://127.0.0.1:${upstream.info.port}`;
  const bare = await startChild('bare', upstreamUrl);
  const moat = await startChild('moat', upstreamUrl);
  try {
    const json = await measureKind('json', { bare, moat }, opts, progress);
    const sse = await measureKind('sse', { bare, moat }, opts, progress);
    const events = await new Promise<{ events: number; stored: number }>((resolve) => {
      const onMessage = (msg: unknown) => {
        if (typeof (msg as { events?: number }).events !== 'number') return;
        moat.proc.off('message', onMessage);
        resolve(msg as { events: number; stored: number });
      };
      moat.proc.on('message', onMessage);
      moat.proc.send('stats');
    });
    return {
      v: 1,
      machine: { cpus: cpus().length, node: process.version },
      options: opts,
      json,
      sse,
      events: { captured: events.events, stored: events.stored },
      goals: { throughputRatio: 0.85, addedP50Ms: 0.5 },
    };
  } finally {
    for (const c of [moat, bare, upstream]) c.proc.kill('SIGTERM');
  }
}

/** The result as a Markdown table, as published in docs/benchmarks/gateway.md. */
export function gatewayTable(r: GatewayBenchResult): string {
  const f = (n: number, d = 0) => n.toFixed(d);
  const signed = (n: number, d: number) => (n >= 0 ? `+${f(n, d)}` : f(n, d));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const row = (label: string, k: KindResult) => [
    line([
      `${label} throughput at saturation (req/s)`,
      f(k.bareRps),
      f(k.moatRps),
      `${f(k.ratio * 100, 1)}%`,
    ]),
    line([
      `${label} CPU per request at saturation (µs)`,
      f(k.bareCpuUs),
      f(k.moatCpuUs),
      `${signed(k.moatCpuUs - k.bareCpuUs, 0)} µs`,
    ]),
    line([
      `${label} main-thread CPU per request (µs)`,
      f(k.bareMainUs),
      f(k.moatMainUs),
      `${signed(k.moatMainUs - k.bareMainUs, 0)} µs`,
    ]),
    line([
      `${label} p50 at ${k.rate} req/s (ms)`,
      f(k.bare.p50Ms, 2),
      f(k.moat.p50Ms, 2),
      `${signed(k.addedP50Ms, 2)} ms`,
    ]),
    line([
      `${label} p99 at ${k.rate} req/s (ms)`,
      f(k.bare.p99Ms, 2),
      f(k.moat.p99Ms, 2),
      `${signed(k.addedP99Ms, 2)} ms`,
    ]),
  ];
  return [
    '| measure | bare proxy | Moat | Moat vs bare |',
    '| --- | ---: | ---: | ---: |',
    ...row('JSON', r.json),
    ...row('SSE', r.sse),
  ].join('\n');
}

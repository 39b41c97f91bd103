import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { fixedRate, saturate, type LoadTarget, type RateResult } from './gateway-load.js';

/** Settings of one benchmark run. */
export interface GatewayBenchOptions {
  /** Seconds of each measurement (saturation or fixed rate). */
  seconds: number;
  /** Measurements per cell, alternating bare and Moat; the median is reported. */
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
  rate: number;
  bare: Pick<RateResult, 'p50Ms' | 'p99Ms'>;
  moat: Pick<RateResult, 'p50Ms' | 'p99Ms'>;
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

/** CPU microseconds (user + system) a child has used so far. */
function cpuOf(c: Child): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (msg: unknown) => {
      const cpu = (msg as { cpu?: { user: number; system: number } }).cpu;
      if (!cpu) return;
      c.proc.off('message', onMessage);
      resolve(cpu.user + cpu.system);
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
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

/**
 * Runs the gateway benchmark: a local backend, a bare node:http + undici proxy and Moat (event
 * capture on, SQLite writing), each in its own process. Measures, for JSON and SSE, throughput at
 * saturation and latency at a fixed rate, alternating bare and Moat in every round.
 */
export async function runGatewayBench(
  opts: GatewayBenchOptions,
  progress: (line: string) => void = () => undefined,
): Promise<GatewayBenchResult> {
  const upstream = await startChild('upstream');
  const upstreamUrl = `http://127.0.0.1:${upstream.info.port}`;
  const bare = await startChild('bare', upstreamUrl);
  const moat = await startChild('moat', upstreamUrl);
  const ms = opts.seconds * 1000;
  const warmupMs = Math.min(1000, ms / 2);

  try {
    const kinds: Record<'json' | 'sse', KindResult> = {} as never;
    for (const kind of ['json', 'sse'] as const) {
      const stream = kind === 'sse';
      const tb = target(bare.info.port, stream);
      const tm = target(moat.info.port, stream, moat.info.key);
      const sat = { bare: [] as number[], moat: [] as number[] };
      const cpu = { bare: [] as number[], moat: [] as number[] };
      const procs = { bare, moat };
      let errors = 0;
      for (let r = 0; r < opts.rounds; r++) {
        for (const [name, t] of [
          ['bare', tb],
          ['moat', tm],
        ] as const) {
          const cpu0 = await cpuOf(procs[name]);
          const res = await saturate(t, {
            connections: opts.connections,
            durationMs: ms,
            warmupMs,
          });
          const used = (await cpuOf(procs[name])) - cpu0;
          sat[name].push(res.rps);
          cpu[name].push(used / Math.max(1, res.completed + res.warmupCompleted));
          errors += res.errors;
          progress(`${kind} saturation ${name} round ${r + 1}: ${res.rps.toFixed(0)} req/s`);
        }
      }
      const bareRps = median(sat.bare);
      const moatRps = median(sat.moat);
      const rate = opts.rate ?? Math.max(10, Math.round(Math.min(bareRps, moatRps) / 4 / 10) * 10);

      const lat = { bare: [] as RateResult[], moat: [] as RateResult[] };
      for (let r = 0; r < opts.rounds; r++) {
        for (const [name, t] of [
          ['bare', tb],
          ['moat', tm],
        ] as const) {
          const res = await fixedRate(t, { rate, durationMs: ms, warmupMs });
          lat[name].push(res);
          errors += res.errors;
          progress(`${kind} ${rate} req/s ${name} round ${r + 1}: p50 ${res.p50Ms.toFixed(2)} ms`);
        }
      }
      const pct = (rs: RateResult[]) => ({
        p50Ms: median(rs.map((x) => x.p50Ms)),
        p99Ms: median(rs.map((x) => x.p99Ms)),
      });
      const b = pct(lat.bare);
      const m = pct(lat.moat);
      kinds[kind] = {
        bareRps,
        moatRps,
        ratio: moatRps / bareRps,
        bareCpuUs: median(cpu.bare),
        moatCpuUs: median(cpu.moat),
        rate,
        bare: b,
        moat: m,
        addedP50Ms: m.p50Ms - b.p50Ms,
        addedP99Ms: m.p99Ms - b.p99Ms,
        errors,
      };
    }

    const events = await new Promise<{ events: number; stored: number }>((resolve) => {
      moat.proc.once('message', (msg) => resolve(msg as { events: number; stored: number }));
      moat.proc.send('stats');
    });
    return {
      v: 1,
      machine: { cpus: cpus().length, node: process.version },
      options: opts,
      json: kinds.json,
      sse: kinds.sse,
      events: { captured: events.events, stored: events.stored },
      goals: { throughputRatio: 0.85, addedP50Ms: 0.5 },
    };
  } finally {
    for (const c of [moat, bare, upstream]) c.proc.kill();
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

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MoatError } from '../core/errors.js';
import { readCsv } from './csv.js';
import { readJsonl, readLines, reportIssue, type ReadOptions } from './lines.js';

/** One 10-minute window of a ServeGen client: its request rate and inter-arrival law. */
export interface ArrivalWindow {
  /** Seconds since the trace start. */
  start: number;
  /** Requests per second in this window (0 when idle). */
  rate: number;
  /** Coefficient of variation of the gaps. */
  cv: number;
  /** Law of the gaps: Weibull or Gamma with (shape, scale), or none when idle. */
  dist: 'Weibull' | 'Gamma' | '';
  shape: number;
  scale: number;
}

/** Input and output token counts of one served request. */
export interface TokenSize {
  input: number;
  output: number;
}

/**
 * Reads one ServeGen client trace (`chunk-<client>-trace.csv`, no header). Lines with the
 * wrong field count or non-numeric values are reported and skipped.
 */
export async function readServeGenClient(file: string, opts?: ReadOptions) {
  const out: ArrivalWindow[] = [];
  for await (const { text, line } of readLines(file)) {
    if (!text.trim()) continue;
    const f = text.split(',');
    const nums = [f[0], f[1], f[2], f[4], f[5]].map(Number);
    const dist = f[3] === 'Weibull' || f[3] === 'Gamma' ? f[3] : '';
    if (f.length !== 6 || nums.some((n) => !Number.isFinite(n)) || (nums[1] > 0 && !dist)) {
      reportIssue(opts, { file, line, reason: 'expected 6 numeric fields with a known law' });
      continue;
    }
    const [start, rate, cv, shape, scale] = nums;
    out.push({ start, rate, cv, dist, shape, scale });
  }
  return out;
}

/** The ServeGen client trace files of a folder, ordered by client number. */
export function listServeGenClients(dir: string): string[] {
  const names = readdirSync(dir).filter((n) => /^chunk-\d+-trace\.csv$/.test(n));
  const num = (n: string) => Number(n.split('-')[1]);
  return names.sort((a, b) => num(a) - num(b)).map((n) => join(dir, n));
}

/** Token sizes from the Azure LLM inference trace (`ContextTokens`, `GeneratedTokens`). */
export async function readAzureSizes(file: string, opts?: ReadOptions): Promise<TokenSize[]> {
  const out: TokenSize[] = [];
  let line = 1;
  for await (const r of readCsv(file, opts)) {
    line++;
    const input = Number(r.ContextTokens);
    const output = Number(r.GeneratedTokens);
    if (!Number.isFinite(input) || !Number.isFinite(output)) {
      reportIssue(opts, { file, line, reason: 'token counts are not numbers' });
      continue;
    }
    out.push({ input, output });
  }
  return out;
}

/** Token sizes from the Mooncake conversation trace (`input_length`, `output_length`). */
export async function readMooncakeSizes(file: string, opts?: ReadOptions): Promise<TokenSize[]> {
  const out: TokenSize[] = [];
  for await (const r of readJsonl(file, opts)) {
    const input = Number(r.input_length);
    const output = Number(r.output_length);
    if (Number.isFinite(input) && Number.isFinite(output)) out.push({ input, output });
  }
  return out;
}

/** Arrival patterns and token sizes the simulator lays prompts onto. */
export interface TraceBank {
  source: 'real' | 'builtin';
  /** One window list per ServeGen client (14 days of 10-minute windows). */
  clients: ArrivalWindow[][];
  /** Short conversational requests (Azure). */
  chatSizes: TokenSize[];
  /** Long-context requests (Mooncake). */
  longSizes: TokenSize[];
}

/** Reads the real traces from the data folder; a missing file is MOAT_ERR_DATA_FILE. */
export async function readRealTraces(dir: string, opts?: ReadOptions): Promise<TraceBank> {
  try {
    const files = listServeGenClients(join(dir, 'traces/servegen-m-large'));
    const clients: ArrivalWindow[][] = [];
    for (const f of files) clients.push(await readServeGenClient(f, opts));
    const chatSizes = await readAzureSizes(join(dir, 'traces/azure-llm-2023-conv.csv'), opts);
    const longSizes = await readMooncakeSizes(
      join(dir, 'traces/mooncake-conversation.jsonl'),
      opts,
    );
    return { source: 'real', clients: clients.filter((c) => c.length > 0), chatSizes, longSizes };
  } catch (err) {
    throw new MoatError('MOAT_ERR_DATA_FILE', `Traces under ${dir}.`, { cause: err });
  }
}

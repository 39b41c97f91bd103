import { dataDir } from '../core/paths.js';
import { log } from '../core/log.js';
import { builtinCorpus } from './builtin/prompts.js';
import { makeCorpus, SET_NAMES, type Corpus, type PromptItem, type SetName } from './corpus.js';
import type { ReadOptions } from './lines.js';
import { readPromptSet } from './sets.js';
import { builtinTraces } from './builtin/traces.js';
import { readRealTraces, type TraceBank } from './traces.js';

let cached: Promise<Corpus> | undefined;

/**
 * The corpus for demos, the replay upstream and the simulator: the real prompt sets when the
 * data folder exists (MOAT_DATA or ../shared/data), else the built-in generated corpus.
 * Loaded once per process unless `fresh` is set.
 */
export function loadCorpus(opts: { dir?: string | null; fresh?: boolean } & ReadOptions = {}) {
  if (cached && !opts.fresh && opts.dir === undefined) return cached;
  const dir = opts.dir === undefined ? dataDir() : opts.dir;
  const p = dir ? readRealCorpus(dir, opts) : Promise.resolve(builtinCorpus());
  if (opts.dir === undefined) cached = p;
  return p;
}

/** Reads every real prompt set from `dir`, skipping (and reporting) broken lines. */
export async function readRealCorpus(dir: string, opts?: ReadOptions): Promise<Corpus> {
  const sets = {} as Record<SetName, PromptItem[]>;
  for (const name of SET_NAMES) sets[name] = await readPromptSet(dir, name, opts);
  const sizes = Object.fromEntries(SET_NAMES.map((n) => [n, sets[n].length]));
  log.info({ dir, sizes }, 'real corpus loaded');
  return makeCorpus('real', sets);
}

let cachedTraces: Promise<TraceBank> | undefined;

/** The real traces when the data folder exists, else synthetic ones; loaded once per process. */
export function loadTraces(opts: { dir?: string | null } & ReadOptions = {}): Promise<TraceBank> {
  if (cachedTraces && opts.dir === undefined) return cachedTraces;
  const dir = opts.dir === undefined ? dataDir() : opts.dir;
  const p = dir ? readRealTraces(dir, opts) : Promise.resolve(builtinTraces());
  if (opts.dir === undefined) cachedTraces = p;
  return p;
}

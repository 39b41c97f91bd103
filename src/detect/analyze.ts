import { Worker } from 'node:worker_threads';
import { MoatError } from '../core/errors.js';
import type { Report } from '../core/verdict.js';
import type { ReaderMessage } from './analyze-worker.js';
import { Embedder } from './embed.js';
import { DetectionEngine, type EngineOptions } from './engine.js';
import {
  readFeatures,
  type ReadOptions,
  type ReadStats,
  type TimedFeatures,
} from './log-reader.js';
import { unpack } from './packed.js';

export type { SkippedLine } from './log-reader.js';

/** Options of an offline run. */
export interface AnalyzeOptions extends EngineOptions, ReadOptions {
  /**
   * Read, parse and extract features on a second thread while the engine runs on this one
   * (default true). The engine sees the same features in the same order either way.
   */
  parallel?: boolean;
}

/** The outcome of an offline run. */
export interface AnalyzeResult extends ReadStats {
  report: Report;
  engine: DetectionEngine;
  seconds: number;
}

/**
 * Streams a `moat.event.v1` log through a fresh engine, line by line, in time order, exactly as
 * the live path would see the events. Malformed lines are reported and skipped.
 */
export async function analyzeFile(file: string, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const started = process.hrtime.bigint();
  const engine = new DetectionEngine(opts);
  const stats: ReadStats = { lines: 0, skipped: 0, late: 0 };
  try {
    if (opts.parallel === false) {
      const embeddings = opts.config?.embeddings;
      const embedder = embeddings ? new Embedder(embeddings) : undefined;
      let batch: TimedFeatures[] = [];
      const ingest = async () => {
        await embedder?.enrich(batch);
        for (const { f, ts } of batch) engine.ingestFeatures(f, ts);
        batch = [];
      };
      const read = readFeatures(file, { ...opts, keepText: embedder !== undefined }, stats);
      for await (const item of read) {
        batch.push(item);
        if (batch.length >= 512) await ingest();
      }
      await ingest();
      if (embedder) Object.assign(stats, embedder.stats());
    } else {
      Object.assign(stats, await readOnWorker(file, opts, engine));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MoatError('MOAT_ERR_USAGE', `No such file: ${file}`);
    }
    throw err;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { report: engine.report(), engine, ...stats, seconds };
}

function readOnWorker(file: string, opts: AnalyzeOptions, engine: DetectionEngine) {
  const worker = new Worker(new URL('./analyze-worker.js', import.meta.url), {
    workerData: { file, reorderWindow: opts.reorderWindow, embeddings: opts.config?.embeddings },
  });
  return new Promise<ReadStats>((resolve, reject) => {
    let ended = false;
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (!ended) reject(new Error(`log reader thread exited (${code}) before the end`));
    });
    worker.on('message', (m: ReaderMessage) => {
      if (m.type === 'batch') {
        for (let i = 0; i < m.batch.count; i++) {
          const { f, ts } = unpack(m.batch, i);
          engine.ingestFeatures(f, ts);
        }
        worker.postMessage('ack');
      } else if (m.type === 'skip') {
        opts.onSkip?.({ line: m.line, reason: m.reason });
      } else if (m.type === 'progress') {
        opts.onProgress?.(m.read, m.total);
      } else if (m.type === 'end') {
        ended = true;
        void worker.terminate();
        resolve(m.stats);
      } else {
        void worker.terminate();
        reject(
          m.message.includes('ENOENT')
            ? Object.assign(new Error(m.message), { code: 'ENOENT' })
            : new Error(m.message),
        );
      }
    });
  });
}

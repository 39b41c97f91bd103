import { parentPort, workerData } from 'node:worker_threads';
import { Embedder, type EmbeddingsConfig } from './embed.js';
import { readFeatures, type ReadStats, type TimedFeatures } from './log-reader.js';
import { pack } from './packed.js';

/** Messages from the log-reading thread of `analyzeFile`. */
export type ReaderMessage =
  | { type: 'batch'; batch: ReturnType<typeof pack> }
  | { type: 'skip'; line: number; reason: string }
  | { type: 'progress'; read: number; total: number }
  | { type: 'end'; stats: ReadStats }
  | { type: 'error'; message: string };

const BATCH = 512;
const MAX_IN_FLIGHT = 8;

/** Reads, parses and extracts features on this thread; the engine runs on the main thread. */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const { file, reorderWindow, embeddings } = workerData as {
    file: string;
    reorderWindow?: number;
    embeddings?: EmbeddingsConfig;
  };
  const embedder = embeddings ? new Embedder(embeddings) : undefined;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    inFlight--;
    wake?.();
    wake = null;
  });
  const send = (m: ReaderMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

  const stats: ReadStats = { lines: 0, skipped: 0, late: 0 };
  const flush = async (items: TimedFeatures[]) => {
    await embedder?.enrich(items);
    const batch = pack(items);
    inFlight++;
    send({ type: 'batch', batch }, [
      batch.nums.buffer,
      batch.minhash.buffer,
      batch.vec.buffer,
    ] as ArrayBuffer[]);
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
  };
  let items: TimedFeatures[] = [];
  const read = readFeatures(
    file,
    {
      reorderWindow,
      keepText: embedder !== undefined,
      onSkip: (s) => send({ type: 'skip', ...s }),
      onProgress: (r, t) => send({ type: 'progress', read: r, total: t }),
    },
    stats,
  );
  for await (const item of read) {
    items.push(item);
    if (items.length < BATCH) continue;
    await flush(items);
    items = [];
  }
  if (items.length > 0) await flush(items);
  if (embedder) Object.assign(stats, embedder.stats());
  send({ type: 'end', stats });
}

main().catch((err: unknown) =>
  parentPort?.postMessage({ type: 'error', message: String(err) } satisfies ReaderMessage),
);

import { parentPort, workerData } from 'node:worker_threads';
import type { AccountVerdict, ClusterVerdict } from '../core/verdict.js';
import type { DetectConfig } from './config.js';
import { Embedder } from './embed.js';
import { DetectionEngine } from './engine.js';
import { extractFeatures } from './features.js';
import type { FromWorker, ToWorker } from './live-protocol.js';
import { promptText } from './text.js';

/** The engine side of LiveDetector: ingests batches, posts verdict changes after each batch. */
const port = parentPort;
if (port) {
  const evicted: (AccountVerdict & { events: number })[] = [];
  const engine = new DetectionEngine({
    config: (workerData as { config?: Partial<DetectConfig> }).config,
    onEvict: (a) => evicted.push(a),
  });
  let changes: (AccountVerdict | ClusterVerdict)[] = [];
  engine.onVerdict((v) => changes.push(v));
  const send = (m: FromWorker) => port.postMessage(m);

  // What the host hears after a message: the verdicts a batch changed, or the answer asked for.
  const reply = (m: ToWorker) => {
    if (m.type === 'flush') return send({ type: 'flushed', id: m.id });
    if (m.type === 'report') return send({ type: 'report', id: m.id, report: engine.report() });
    if (changes.length > 0) send({ type: 'verdicts', verdicts: changes });
    changes = [];
    if (evicted.length > 0) send({ type: 'evicted', accounts: evicted.splice(0) });
  };

  const embeddings = (workerData as { config?: Partial<DetectConfig> }).config?.embeddings;
  if (!embeddings) {
    port.on('message', (m: ToWorker) => {
      if (m.type === 'events') for (const e of m.events) engine.ingest(e);
      reply(m);
    });
  } else {
    // Each batch waits for its embeddings; messages are handled one after another, in order.
    const embedder = new Embedder(embeddings);
    let chain = Promise.resolve();
    const ingest = async (m: ToWorker) => {
      if (m.type === 'events') {
        const items = m.events.map((e) => ({
          f: extractFeatures(e),
          ts: e.ts,
          text: promptText(e)?.user,
        }));
        await embedder.enrich(items);
        for (const it of items) engine.ingestFeatures(it.f, it.ts);
      }
      reply(m);
    };
    port.on('message', (m: ToWorker) => {
      chain = chain.then(() => ingest(m));
    });
  }
}

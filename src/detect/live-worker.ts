import { parentPort, workerData } from 'node:worker_threads';
import type { AccountVerdict, ClusterVerdict } from '../core/verdict.js';
import type { DetectConfig } from './config.js';
import { DetectionEngine } from './engine.js';
import type { FromWorker, ToWorker } from './live-protocol.js';

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

  port.on('message', (m: ToWorker) => {
    if (m.type === 'events') {
      for (const e of m.events) engine.ingest(e);
      if (changes.length > 0) send({ type: 'verdicts', verdicts: changes });
      changes = [];
      if (evicted.length > 0) send({ type: 'evicted', accounts: evicted.splice(0) });
      return;
    }
    if (m.type === 'flush') return send({ type: 'flushed', id: m.id });
    send({ type: 'report', id: m.id, report: engine.report() });
  });
}

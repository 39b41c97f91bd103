/**
 * The SQLite event writer's thread. It opens its own connection to the store file (WAL, so the
 * gateway's connection keeps reading and issuing keys), applies text retention per tier, writes
 * each batch in one transaction and answers with the batch's sequence number, so the gateway
 * knows what is stored and what must go to the spill.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TiersConfig } from '../config/index.js';
import type { MoatEvent } from '../core/event.js';
import { SqliteStore } from '../store/sqlite.js';
import { retained, textExpiry } from './event-sinks.js';
import type { WriterReply, WriterRequest } from './store-writer.js';

const PURGE_EVERY_MS = 60_000;

const { file, tiers } = workerData as { file: string; tiers: TiersConfig };
const port = parentPort!;

function reply(msg: WriterReply): void {
  port.postMessage(msg);
}

let store: SqliteStore | undefined;
try {
  store = new SqliteStore(file);
} catch (err) {
  reply({ type: 'fatal', err: (err as Error).message });
}

let lastPurge = 0;

function write(seq: number, batch: MoatEvent[]): void {
  const now = Date.now();
  try {
    store!.events.write(
      batch.map((e) => ({ event: retained(e, tiers), expiresAt: textExpiry(e, tiers, now) })),
    );
  } catch (err) {
    reply({ type: 'failed', seq, err: (err as Error).message });
    return;
  }

  let purged = 0;
  if (now - lastPurge >= PURGE_EVERY_MS) {
    lastPurge = now;
    try {
      purged = store!.events.purgeExpiredText(new Date(now));
    } catch {
      purged = 0; // the next purge retries; the batch itself is stored
    }
  }
  reply({ type: 'done', seq, n: batch.length, purged });
}

port.on('message', (msg: WriterRequest) => {
  if (msg.type === 'write') {
    if (store) write(msg.seq, msg.batch);
    else reply({ type: 'failed', seq: msg.seq, err: 'store not open' });
    return;
  }
  store?.close();
  port.close();
});

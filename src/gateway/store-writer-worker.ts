/**
 * The SQLite event writer's thread. It opens its own connection to the store file (WAL, so the
 * gateway's connection keeps reading and issuing keys), writes each batch of rows (text
 * retention already applied) in one transaction and answers with the batch's sequence number,
 * so the gateway knows what is stored and what must go to the spill.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventRowValues } from '../store/events.js';
import { SqliteStore } from '../store/sqlite.js';
import type { WriterReply, WriterRequest } from './store-writer.js';

const PURGE_EVERY_MS = 60_000;

const { file } = workerData as { file: string };
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

function write(seq: number, rows: EventRowValues[]): void {
  const now = Date.now();
  try {
    store!.events.writeRows(rows);
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
  reply({ type: 'done', seq, n: rows.length, purged });
}

port.on('message', (msg: WriterRequest) => {
  if (msg.type === 'write') {
    if (store) write(msg.seq, msg.rows);
    else reply({ type: 'failed', seq: msg.seq, err: 'store not open' });
    return;
  }
  store?.close();
  port.close();
});

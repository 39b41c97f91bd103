import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import type { GatewayMetrics } from './metrics.js';

/** A spilled event and who still has to receive it. */
export interface SpilledEvent {
  event: MoatEvent;
  /** Names of the sinks that have not stored it. */
  sinks: string[];
  /** Whether the in-process listeners still have to see it. */
  listeners: boolean;
}

const CLAIMED = '.replaying';
/** Beside a claimed file: how many of its events the listeners have seen. */
const HEARD = '.heard';
const CHUNK = 1 << 20;

/** A claimed spill file being read for replay, a chunk at a time. */
interface Reader {
  path: string;
  fd: number;
  /** The part of the last chunk after its last newline. */
  rest: string;
  eof: boolean;
  line: number;
  bad: number;
  /** Events parsed so far. */
  parsed: number;
  /** Events an earlier replay of this file already showed the listeners (the first ones). */
  heard: number;
}

/**
 * Events that could not be queued or stored, kept on disk under `MOAT_HOME/spill/` as JSONL and
 * fed back into the queue once it has room (and at the next start). Lines are buffered in memory
 * only until the next queue tick, then appended in one write.
 *
 * Replay claims a file by renaming it (`.replaying`) and reads it a chunk at a time, so memory
 * stays bounded whatever its size. A claimed file is removed only once every event read from
 * it has been stored or spilled again (`settle`), so a crash during replay loses nothing: the
 * next start replays the claimed file again, and the stores keep each event id once. How many
 * of its events the listeners have seen is written beside it after each batch (`heard`), so a
 * replay after a crash shows them only the ones they missed.
 */
export class Spill {
  private pending: string[] = [];
  private replay: SpilledEvent[] = [];
  private readonly file: string;
  /** Claimed files not yet opened, in order. */
  private claimed: string[] = [];
  private reader?: Reader;
  /** Files read to the end and handed out completely, waiting for `settle`. */
  private finished: string[] = [];
  /** The file whose events `takeReplay` hands out (one file at a time), and how many so far. */
  private handing?: { path: string; taken: number };

  constructor(
    private readonly dir: string,
    private readonly metrics: GatewayMetrics,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `events-${process.pid}-${Date.now()}.jsonl`);
    this.claimExisting();
  }

  /** Keeps events to be written at the next tick, with who has yet to receive them. */
  add(events: MoatEvent[], sinks: string[], listeners: boolean): void {
    for (const event of events) this.pending.push(JSON.stringify({ sinks, listeners, event }));
  }

  /**
   * Appends the buffered lines to the spill file; a failed write counts them as dropped.
   * Returns false when a write failed.
   */
  writePending(): boolean {
    if (this.pending.length === 0) return true;
    const lines = this.pending;
    this.pending = [];
    try {
      appendFileSync(this.file, `${lines.join('\n')}\n`);
      return true;
    } catch (err) {
      log.error({ err: (err as Error).message, n: lines.length }, 'spill write failed');
      this.metrics.eventsDropped.inc([], lines.length);
      return false;
    }
  }

  /** Whether spilled events are waiting to be replayed. */
  hasReplay(): boolean {
    if (this.replay.length > 0) return true;
    if (!this.reader && this.claimed.length === 0) {
      if (this.pending.length > 0 || !existsSync(this.file)) return false;
      this.claim(this.file);
    }
    this.fill(1);
    return this.replay.length > 0;
  }

  /** Events read from a claimed file and not yet taken. */
  get buffered(): number {
    return this.replay.length;
  }

  /** Whether anything is spilled, in memory or on disk (without reading a file). */
  waiting(): boolean {
    return (
      this.replay.length > 0 ||
      this.pending.length > 0 ||
      this.reader !== undefined ||
      this.claimed.length > 0 ||
      existsSync(this.file)
    );
  }

  /** Takes up to `n` spilled events for delivery. */
  takeReplay(n: number): SpilledEvent[] {
    this.fill(n);
    const out = this.replay.splice(0, n);
    if (this.handing) this.handing.taken += out.length;
    if (this.replay.length === 0 && this.reader?.eof) this.finish();
    return out;
  }

  /**
   * Records that the listeners have seen every event taken so far from the file being handed
   * out; call it right after showing them a batch from `takeReplay`.
   */
  heard(): void {
    const h = this.handing;
    if (!h || h.taken === 0) return;
    try {
      writeFileSync(`${h.path}${HEARD}`, String(h.taken));
    } catch (err) {
      log.warn({ file: h.path, err: (err as Error).message }, 'spill progress not written');
    }
  }

  /**
   * The files whose events have all been handed out so far; pass them to `settle` once the
   * sinks have stored (or handed back) everything delivered before this call.
   */
  takeFinished(): string[] {
    const files = this.finished;
    this.finished = [];
    return files;
  }

  /**
   * Removes replayed files once what came back from their events is safely on disk again. A
   * file is kept (and replayed at the next start) when that write failed.
   */
  settle(files: string[]): void {
    if (files.length === 0 || !this.writePending()) return;
    for (const path of files) {
      rmSync(path, { force: true });
      rmSync(`${path}${HEARD}`, { force: true });
    }
  }

  /**
   * At shutdown: what was read but not delivered, and the unread rest of the file being read,
   * go back to this process's spill file, and that claimed file is removed. Claimed files not
   * yet opened stay for the next start.
   */
  release(): void {
    for (const s of this.replay) this.pending.push(JSON.stringify(s));
    this.replay = [];
    const reader = this.reader;
    if (reader) {
      // Only lines an earlier replay showed the listeners need rewriting; the rest go as read.
      const keep = (line: string) => {
        const s = reader.parsed < reader.heard ? this.entry(reader, line) : undefined;
        this.pending.push(s ? JSON.stringify(s) : line);
      };
      while (!reader.eof) this.readChunk(reader, keep);
      closeSync(reader.fd);
      this.reader = undefined;
      this.finished.push(reader.path);
    }
    this.settle(this.takeFinished());
  }

  /** Reads from the claimed files until `n` events are buffered or nothing is left. */
  private fill(n: number): void {
    while (this.replay.length < n) {
      if (!this.reader && !this.open()) return;
      const reader = this.reader!;
      if (reader.eof) {
        if (this.replay.length > 0) return; // one file at a time in the buffer
        this.finish();
        continue;
      }
      this.readChunk(reader, (line) => {
        const s = this.entry(reader, line);
        if (s) this.replay.push(s);
        else {
          reader.bad++;
          log.warn({ file: reader.path, line: reader.line }, 'spill line unreadable, skipped');
        }
      });
    }
  }

  /** A line as a spilled event, not for the listeners if they saw it before; undefined if bad. */
  private entry(reader: Reader, line: string): SpilledEvent | undefined {
    let s: SpilledEvent;
    try {
      s = JSON.parse(line) as SpilledEvent;
    } catch {
      return undefined;
    }
    reader.parsed++;
    if (reader.parsed <= reader.heard) s.listeners = false;
    return s;
  }

  /** Reads one chunk and hands each complete line to `each`. */
  private readChunk(reader: Reader, each: (line: string) => void): void {
    const buf = Buffer.allocUnsafe(CHUNK);
    let got = 0;
    try {
      got = readSync(reader.fd, buf, 0, CHUNK, null);
    } catch (err) {
      log.error({ file: reader.path, err: (err as Error).message }, 'spill read failed');
    }
    if (got === 0) {
      reader.eof = true;
      const last = reader.rest;
      reader.rest = '';
      if (last) {
        reader.line++;
        each(last);
      }
      return;
    }
    const text = reader.rest + buf.toString('utf8', 0, got);
    const lines = text.split('\n');
    reader.rest = lines.pop() ?? '';
    for (const line of lines) {
      reader.line++;
      if (line) each(line);
    }
  }

  /** Opens the next claimed file; false when none is left. */
  private open(): boolean {
    while (this.claimed.length > 0) {
      const path = this.claimed.shift()!;
      try {
        const fd = openSync(path, 'r');
        const heard = heardBefore(path);
        this.reader = { path, fd, rest: '', eof: false, line: 0, bad: 0, parsed: 0, heard };
        this.handing = { path, taken: 0 };
        log.info({ file: path, heard }, 'replaying spilled events');
        return true;
      } catch (err) {
        log.error({ file: path, err: (err as Error).message }, 'spill replay failed');
      }
    }
    return false;
  }

  /** The file being read is used up: close it and keep it until `settle`. */
  private finish(): void {
    const reader = this.reader;
    if (!reader) return;
    closeSync(reader.fd);
    this.reader = undefined;
    if (reader.bad > 0) log.warn({ file: reader.path, bad: reader.bad }, 'spill lines skipped');
    this.finished.push(reader.path);
  }

  /** Renames a spill file so no other replay takes it, and queues it for reading. */
  private claim(path: string): void {
    const claimed = `${path}${CLAIMED}`;
    try {
      renameSync(path, claimed);
      this.claimed.push(claimed);
    } catch (err) {
      log.error({ file: path, err: (err as Error).message }, 'spill replay failed');
    }
  }

  /** At start: files left by earlier runs, including ones a crash left half replayed. */
  private claimExisting(): void {
    for (const name of readdirSync(this.dir).sort()) {
      if (name.endsWith(CLAIMED)) this.claimed.push(join(this.dir, name));
      else if (name.endsWith('.jsonl')) this.claim(join(this.dir, name));
    }
  }
}

/** How many events of a claimed file an earlier replay showed the listeners; 0 if none. */
function heardBefore(path: string): number {
  try {
    const n = Number.parseInt(readFileSync(`${path}${HEARD}`, 'utf8'), 10);
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

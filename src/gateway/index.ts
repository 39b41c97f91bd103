import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { MoatConfig } from '../config/index.js';
import { ALLOW_ALL, type Decider } from '../core/decision.js';
import { log } from '../core/log.js';
import type { Limiter } from '../core/limits.js';
import type { ResponseMarker } from '../core/marker.js';
import { moatHome } from '../core/paths.js';
import { openStore, type SqliteStore } from '../store/sqlite.js';
import { KeyIndex, type KeySource } from './auth.js';
import { EventQueue, type EventListener, type EventSink } from './event-queue.js';
import { JsonlSink, SqliteSink } from './event-sinks.js';
import { MemoryLimiter } from './limiter.js';
import { GatewayMetrics } from './metrics.js';
import { route, type MountHandler, type RouterState } from './server.js';
import { Spill } from './spill.js';
import { WorkerStoreSink } from './store-writer.js';
import { Upstream } from './upstream.js';

export type { EventListener, EventSink } from './event-queue.js';
export type { MountHandler } from './server.js';
export type { Identity, KeySource } from './auth.js';
export { GatewayMetrics } from './metrics.js';
export { ANONYMOUS } from './proxy.js';
export { MemoryLimiter } from './limiter.js';

/** What `startGateway` needs; only `config` is required. */
export interface GatewayOptions {
  config: MoatConfig;
  /** Per-request policy; default lets everything through. */
  decider?: Decider;
  /** Admission control; default is the in-memory MemoryLimiter. */
  limiter?: Limiter;
  /** The watermark, applied when the tier and the decision say so. */
  marker?: ResponseMarker;
  /** Reasoning removal, applied when a decision degrades with `stripReasoning`. */
  reasoningMarker?: ResponseMarker;
  /** Store for keys and events. Default opens `config.store.path`; `null` runs without one. */
  store?: SqliteStore | null;
  /** Where keys come from when not the store (a fleet store, a test double). */
  keySource?: KeySource;
  /** Further event consumers (the fleet's Postgres writer). */
  sinks?: EventSink[];
  /** Handlers mounted under path prefixes (admin API, console, TAXII). */
  mounts?: { prefix: string; handler: MountHandler }[];
}

/** A running gateway. */
export interface Gateway {
  /** Base URL, e.g. `http://127.0.0.1:8080` (clients add `/v1`). */
  url: string;
  port: number;
  metrics: GatewayMetrics;
  /** The store in use, if any. */
  store?: SqliteStore;
  /** Subscribes to every event in full (text included), off the request path. */
  onEvent(fn: EventListener): void;
  /** Mounts a handler under a path prefix. */
  mount(prefix: string, handler: MountHandler): void;
  /** Reloads the key index from the store now (revocations otherwise land within refresh_ms). */
  refreshKeys(): void;
  /** Delivers every queued event to the listeners and sinks. */
  flushEvents(): Promise<void>;
  /** Stops accepting, drains in-flight calls (up to shutdown_grace_ms), flushes events. */
  close(): Promise<void>;
}

/**
 * Starts Moat's gateway: the HTTP server, the proxy routes, `/healthz`, `/readyz`, `/metrics`,
 * and the event queue feeding the store, `events.out` and in-process listeners.
 */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config } = opts;
  const metrics = new GatewayMetrics();
  const ownStore = opts.store === undefined;
  const store = opts.store === undefined ? openStore(config.store.path) : (opts.store ?? undefined);

  const spill =
    config.events.onFull === 'spill' ? new Spill(join(moatHome(), 'spill'), metrics) : undefined;
  const queue = new EventQueue(config.events, metrics, spill);
  if (store) queue.addSink(storeSink(store, config, metrics));
  if (config.events.out) queue.addSink(new JsonlSink(config.events.out, config.tiers));
  for (const sink of opts.sinks ?? []) queue.addSink(sink);

  const keys = new KeyIndex(opts.keySource ?? store?.keys, config.auth);
  const upstream = new Upstream(config.upstream);
  const state: RouterState = {
    deps: {
      config,
      decider: opts.decider ?? ALLOW_ALL,
      limiter: opts.limiter ?? new MemoryLimiter(),
      marker: opts.marker,
      reasoningMarker: opts.reasoningMarker,
      keys,
      upstream,
      queue,
      metrics,
    },
    mounts: [...(opts.mounts ?? [])],
    draining: false,
    inflight: 0,
  };
  metrics.gauge(
    'moat_events_queue_depth',
    'Events waiting in the in-process queue.',
    () => queue.depth,
  );
  metrics.gauge(
    'moat_events_replay_wait_seconds',
    'Time until spilled events are offered to a failing store again (0 when it works).',
    () => queue.replayDelayMs / 1000,
  );
  metrics.gauge('moat_inflight_requests', 'Requests being handled now.', () => state.inflight);

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => route(state, req, res));
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  await listen(server, config.server.port, config.server.host);
  const port = (server.address() as AddressInfo).port;
  const host = ['0.0.0.0', '::'].includes(config.server.host) ? '127.0.0.1' : config.server.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info(
    { url, upstream: config.upstream.url, tiers: Object.keys(config.tiers) },
    'gateway listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    metrics,
    store,
    onEvent: (fn) => queue.onEvent(fn),
    mount: (prefix, handler) => state.mounts.push({ prefix, handler }),
    refreshKeys: () => keys.refresh(),
    flushEvents: () => queue.flush(),
    close: () =>
      (closing ??= shutdown(server, state, config.server.shutdownGraceMs, async () => {
        keys.close();
        await queue.close();
        await upstream.close().catch(() => undefined);
        if (ownStore) store?.close();
      })),
  };
}

/** The store's event writer: a worker thread, or inline for an in-memory store it can't share. */
function storeSink(store: SqliteStore, config: MoatConfig, metrics: GatewayMetrics): EventSink {
  if (store.file === ':memory:') return new SqliteSink(store.events, config.tiers, metrics);
  const sink = new WorkerStoreSink(store.file, config.tiers, metrics, config.events.queueSize);
  metrics.gauge(
    'moat_events_writer_busy_seconds',
    'Time the store writer thread has spent writing events since start.',
    () => sink.busyMs() / 1000,
  );
  return sink;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function shutdown(
  server: Server,
  state: RouterState,
  graceMs: number,
  finish: () => Promise<void>,
): Promise<void> {
  state.draining = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();

  if (state.inflight > 0) {
    const idle = new Promise<void>((resolve) => (state.idle = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)),
    );
    const outcome = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log.warn({ inflight: state.inflight }, 'shutdown grace over; cutting remaining calls');
      await state.deps.upstream.destroy();
    }
  }
  server.closeAllConnections();
  await closed;
  await finish();
  log.info({}, 'gateway stopped');
}

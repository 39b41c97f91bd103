import { sectionOf, type MoatConfig } from '../config/index.js';
import { log } from '../core/log.js';
import { detectSection } from '../detect/config.js';
import { LiveDetector } from '../detect/live.js';
import { startControlPlane, type ControlPlane } from '../fleet/index.js';
import { ANONYMOUS, startGateway, type Gateway } from '../gateway/index.js';
import { intelSection } from '../intel/config.js';
import { createIntelMount, type IntelMount } from '../intel/mount.js';
import { openStore, type SqliteStore } from '../store/sqlite.js';
import { watermarkerFromConfig } from '../watermark/from-config.js';

/** Options of `startStack`; the config alone is enough for a deployment. */
export interface StackOptions {
  /** Run the detector on a worker thread (default) or on the main thread. */
  detectorWorker?: boolean;
}

/** Moat running as one process: every part, wired along DESIGN.md's data flow. */
export interface Stack {
  /** Base URL of the gateway (clients add `/v1`; console at `/console`). */
  url: string;
  gateway: Gateway;
  plane: ControlPlane;
  detector: LiveDetector;
  store: SqliteStore;
  intel: IntelMount;
  /** Stops in order: the gateway drains its calls and events, then detector, plane, store. */
  close(): Promise<void>;
}

/**
 * Builds and starts the whole stack from a config: the SQLite store, the live detector, the
 * control plane (policy, admin API, console, fleet state) fed by the detector's verdicts, the
 * watermark, the TAXII server, and the gateway whose events go to the detector off the request
 * path. `moat serve` and `moat demo` both start Moat through here, so there is one wiring.
 */
export async function startStack(config: MoatConfig, opts: StackOptions = {}): Promise<Stack> {
  const marker = watermarkerFromConfig(config);
  const store = openStore(config.store.path);
  const detector = new LiveDetector({
    config: sectionOf(config, detectSection),
    worker: opts.detectorWorker,
  });

  let plane: ControlPlane | undefined;
  try {
    plane = await startControlPlane(config, { store, verdicts: detector });
    const intel = createIntelMount(sectionOf(config, intelSection), store.db);
    const gateway = await startGateway({
      config,
      store,
      ...plane.gateway,
      mounts: [...(plane.gateway.mounts ?? []), intel],
      marker,
    });
    gateway.onEvent((e) => {
      // Failed authentication is not an account's behaviour; it stays in the log and metrics.
      if (e.account !== ANONYMOUS) detector.push(e);
    });
    plane.attach(gateway);
    gateway.metrics.gauge(
      'moat_detector_shed_events',
      'Events the live detector dropped because its queue was full.',
      () => detector.shed,
    );
    return assemble(gateway, plane, detector, store, intel);
  } catch (err) {
    await stopAfterFailedStart(detector, plane, store);
    throw err;
  }
}

function assemble(
  gateway: Gateway,
  plane: ControlPlane,
  detector: LiveDetector,
  store: SqliteStore,
  intel: IntelMount,
): Stack {
  let closing: Promise<void> | undefined;
  const close = async () => {
    await gateway.close();
    await detector.close().catch((err: Error) => log.warn({ err: err.message }, 'detector stop'));
    await plane.close();
    store.close();
    log.info({}, 'moat stopped');
  };
  return {
    url: gateway.url,
    gateway,
    plane,
    detector,
    store,
    intel,
    close: () => (closing ??= close()),
  };
}

async function stopAfterFailedStart(
  detector: LiveDetector,
  plane: ControlPlane | undefined,
  store: SqliteStore,
): Promise<void> {
  await detector.close().catch(() => undefined);
  await plane?.close().catch(() => undefined);
  store.close();
}

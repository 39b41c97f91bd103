import { sectionOf, type MoatConfig } from '../config/index.js';
import { log } from '../core/log.js';
import type { LiveDetector } from '../detect/live.js';
import { startControlPlane, type ControlPlane } from '../fleet/index.js';
import { ANONYMOUS, startGateway, type Gateway } from '../gateway/index.js';
import { intelSection } from '../intel/config.js';
import { createIntelMount, type IntelMount } from '../intel/mount.js';
import { openStore, type SqliteStore } from '../store/sqlite.js';
import { watermarkerFromConfig } from '../watermark/from-config.js';
import { startDetection, type Detection } from './detection.js';

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
  /** This replica's live detector; null on a shared-detection replica that runs none. */
  readonly detector: LiveDetector | null;
  store: SqliteStore;
  intel: IntelMount;
  /** Stops in order: the gateway drains its calls and events, then detector, plane, store. */
  close(): Promise<void>;
}

/**
 * Builds and starts the whole stack from a config: the SQLite store, the control plane (policy,
 * admin API, console, fleet state), detection feeding the plane's verdicts, the watermark, the
 * TAXII server, and the gateway whose events go to detection off the request path (this
 * replica's detector, or the fleet's event stream: see `startDetection`). `moat serve` and
 * `moat demo` both start Moat through here, so there is one wiring.
 */
export async function startStack(config: MoatConfig, opts: StackOptions = {}): Promise<Stack> {
  const marker = watermarkerFromConfig(config);
  const store = openStore(config.store.path);

  let plane: ControlPlane | undefined;
  let detection: Detection | undefined;
  try {
    plane = await startControlPlane(config, { store });
    detection = await startDetection(config, plane.engine, { worker: opts.detectorWorker });
    const intel = createIntelMount(sectionOf(config, intelSection), store.db);
    const gateway = await startGateway({
      config,
      store,
      ...plane.gateway,
      mounts: [...(plane.gateway.mounts ?? []), intel],
      marker,
    });
    const d = detection;
    gateway.onEvent((e) => {
      // Failed authentication is not an account's behaviour; it stays in the log and metrics.
      if (e.account !== ANONYMOUS) d.push(e);
    });
    plane.attach(gateway);
    detection.attach(gateway);
    return assemble(gateway, plane, detection, store, intel);
  } catch (err) {
    await stopAfterFailedStart(detection, plane, store);
    throw err;
  }
}

function assemble(
  gateway: Gateway,
  plane: ControlPlane,
  detection: Detection,
  store: SqliteStore,
  intel: IntelMount,
): Stack {
  let closing: Promise<void> | undefined;
  const close = async () => {
    await gateway.close();
    await detection.close().catch((err: Error) => log.warn({ err: err.message }, 'detector stop'));
    await plane.close();
    store.close();
    log.info({}, 'moat stopped');
  };
  return {
    url: gateway.url,
    gateway,
    plane,
    get detector() {
      return detection.detector;
    },
    store,
    intel,
    close: () => (closing ??= close()),
  };
}

async function stopAfterFailedStart(
  detection: Detection | undefined,
  plane: ControlPlane | undefined,
  store: SqliteStore,
): Promise<void> {
  await detection?.close().catch(() => undefined);
  await plane?.close().catch(() => undefined);
  store.close();
}

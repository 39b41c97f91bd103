import type { Redis } from 'ioredis';
import { sectionOf, type MoatConfig } from '../config/index.js';
import type { MoatEvent } from '../core/event.js';
import { log } from '../core/log.js';
import { detectSection } from '../detect/config.js';
import { LiveDetector } from '../detect/live.js';
import { fleetSection } from '../fleet/config.js';
import { detectorKey, EventConsumer, EventPublisher } from '../fleet/event-stream.js';
import { connectRedis, redisReady } from '../fleet/redis.js';
import type { Gateway } from '../gateway/index.js';
import type { PolicyEngine } from '../policy/engine.js';

/** Where this replica's events go to be detected, and the detector it runs, if any. */
export interface Detection {
  /** The live detector of this replica; null on a shared-detection replica that needs none. */
  readonly detector: LiveDetector | null;
  /** Takes one event the gateway served (failed authentication excluded). */
  push(event: MoatEvent): void;
  /** Adds this mode's gauges to the gateway's metrics. */
  attach(gateway: Gateway): void;
  /** Sends what is queued, stops reading the stream, and stops the detector. */
  close(): Promise<void>;
}

/**
 * Sets up detection for one replica. `local`: a detector on this replica's own events, as a
 * single node does. `shared`: every replica appends its events to the fleet's Redis stream and
 * the one replica with `fleet.detector` reads the stream into its detector, so it sees every
 * account whole; its verdicts reach the other replicas through the policy bus. While Redis is
 * unreachable a replica detects its own events locally, so nothing goes unwatched.
 */
export async function startDetection(
  config: MoatConfig,
  engine: PolicyEngine,
  opts: { worker?: boolean } = {},
): Promise<Detection> {
  const fleet = sectionOf(config, fleetSection);
  let detector: LiveDetector | null = null;
  const local = (): LiveDetector => {
    if (detector) return detector;
    detector = new LiveDetector({ config: sectionOf(config, detectSection), worker: opts.worker });
    detector.onVerdict((v) => engine.applyVerdict(v));
    return detector;
  };

  if (fleet.detection === 'local' || !fleet.redisUrl) {
    const d = local();
    return {
      detector: d,
      push: (e) => d.push(e),
      attach: (gateway) => shedGauge(gateway, () => d),
      close: () => d.close(),
    };
  }

  const pub = connectRedis(fleet.redisUrl, 'moat-events-pub');
  const connections: Redis[] = [pub];
  // The first events should not fall back only because the connection is still opening.
  await redisReady(pub).catch((err: Error) =>
    log.warn({ err: err.message }, 'event stream not ready at start'),
  );
  const publisher = new EventPublisher(pub, {
    prefix: fleet.keyPrefix,
    maxLen: fleet.streamMaxLen,
    fallback: (e) => local().push(e),
  });
  let consumer: EventConsumer | null = null;
  if (fleet.detector) {
    const d = local();
    const reader = connectRedis(fleet.redisUrl, 'moat-events-read', 5000);
    connections.push(reader);
    // Each batch is ingested before the next read, so catching up never overfills the queue.
    const ingest = async (events: MoatEvent[]) => {
      for (const e of events) d.push(e);
      await d.flush();
    };
    consumer = new EventConsumer(reader, ingest, { prefix: fleet.keyPrefix });
    consumer.start();
  }
  log.info({ detector: fleet.detector, prefix: fleet.keyPrefix }, 'shared detection');

  // A replica that publishes also checks that some detector reads the stream; while none does
  // (none configured, or it is down), it detects its own events too, so nothing goes unwatched.
  const watch = fleet.detector ? null : new DetectorWatch(pub, detectorKey(fleet.keyPrefix));
  await watch?.check();

  return {
    get detector() {
      return detector;
    },
    push(e) {
      publisher.push(e);
      if (watch && !watch.alive) local().push(e);
    },
    attach(gateway) {
      const m = gateway.metrics;
      shedGauge(gateway, () => detector);
      m.gauge('moat_fleet_events_shared', '1 while events go to the shared stream.', () =>
        publisher.shared ? 1 : 0,
      );
      m.gauge('moat_fleet_events_published', 'Events appended to the stream.', () => {
        return publisher.published;
      });
      m.gauge('moat_fleet_events_local', 'Events detected locally: Redis was unreachable.', () => {
        return publisher.unpublished;
      });
      const c = consumer;
      if (c) m.gauge('moat_fleet_events_read', 'Events the detector read.', () => c.read);
      const w = watch;
      if (w) {
        m.gauge(
          'moat_fleet_detector_alive',
          '1 while a detector replica reads the event stream; 0: this replica detects locally too.',
          () => (w.alive ? 1 : 0),
        );
      }
    },
    async close() {
      watch?.stop();
      await publisher.flush().catch(() => undefined);
      await consumer?.stop();
      for (const r of connections) r.disconnect();
      await (detector as LiveDetector | null)?.close();
    },
  };
}

function shedGauge(gateway: Gateway, detector: () => LiveDetector | null): void {
  gateway.metrics.gauge(
    'moat_detector_shed_events',
    'Events the live detector dropped because its queue was full.',
    () => detector()?.shed ?? 0,
  );
}

/** Watches the detector replica's heartbeat in Redis, every two seconds. */
class DetectorWatch {
  alive = true;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {
    this.timer = setInterval(() => void this.check(), 2000);
    this.timer.unref();
  }

  async check(): Promise<void> {
    let alive: boolean;
    try {
      alive = (await this.redis.exists(this.key)) === 1;
    } catch {
      return; // Redis itself is away: the publisher's own fallback covers that
    }
    if (alive === this.alive) return;
    this.alive = alive;
    if (alive) log.info('a detector reads the event stream again; local detection stops');
    else log.error('no detector replica reads the event stream; detecting this replica locally');
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

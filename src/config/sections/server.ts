import { bool, int, mapping, onlyKeys, str } from '../check.js';
import type { Section } from '../section.js';

/** Where and how the gateway listens. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Largest accepted request body; bigger bodies get 413 while they are being read. */
  maxBodyBytes: number;
  /** Time in-flight requests get to finish on shutdown before they are cut. */
  shutdownGraceMs: number;
  /** Take the client address from the first `X-Forwarded-For` entry (behind a trusted proxy). */
  trustForwardedFor: boolean;
}

const KEYS = ['host', 'port', 'max_body_bytes', 'shutdown_grace_ms', 'trust_forwarded_for'];

/** The `server` section. */
export const serverSection: Section<ServerConfig> = {
  name: 'server',
  parse(raw, path) {
    const m = mapping(raw, path);
    onlyKeys(m, path, KEYS);
    return {
      host: str(m, 'host', path, '127.0.0.1'),
      port: int(m, 'port', path, 8080, 0, 65535),
      maxBodyBytes: int(m, 'max_body_bytes', path, 4 * 1024 * 1024, 1024),
      shutdownGraceMs: int(m, 'shutdown_grace_ms', path, 10_000, 0),
      trustForwardedFor: bool(m, 'trust_forwarded_for', path, false),
    };
  },
};

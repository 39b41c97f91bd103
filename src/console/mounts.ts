import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  consoleApiHandler,
  CONSOLE_API_PREFIX,
  type ConsoleApiDeps,
} from '../admin/console-api.js';
import { consoleHandler, CONSOLE_PREFIX } from './index.js';

/** A path prefix and the handler the gateway mounts there. */
export interface ConsoleMount {
  prefix: string;
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/**
 * The console's two mounts for the gateway: its read endpoints under `/admin/v1/console/` and
 * its page under `/console`. Put them before the admin API's mount: the gateway takes the first
 * prefix that matches, and the admin API's `/admin/v1` contains the console's endpoints.
 */
export function consoleMounts(deps: ConsoleApiDeps): ConsoleMount[] {
  const api = consoleApiHandler(deps);
  const page = consoleHandler();
  return [
    {
      prefix: CONSOLE_API_PREFIX.slice(0, -1),
      handler: async (req, res) => {
        await api(req, res);
      },
    },
    {
      prefix: CONSOLE_PREFIX,
      handler: async (req, res) => {
        await page(req, res);
      },
    },
  ];
}

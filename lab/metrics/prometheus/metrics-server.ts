import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../config/config-error.js';
import { hardenServer } from '../../http/json-http.js';
import { LabMetrics, type MetricsSource } from './lab-metrics.js';

export interface MetricsServer {
  /** `http://HOST:PORT/metrics`. */
  readonly url: string;
  /** Scrapes answered so far. */
  readonly scrapes: number;
  /**
   * Stops serving. With `lingerS` above 0 it first waits, up to that many real seconds, for one scrape of the
   * figures as they are now (the run's final ones), so a Prometheus polling every 15 s still sees the end.
   */
  close(lingerS?: number): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  source: MetricsSource;
}

/** Serves `GET /metrics` in the Prometheus text format; anything else is a 404 (405 for another method). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const metrics = new LabMetrics(options.source);
  let scrapes = 0;
  let onScrape: (() => void) | undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end();
      return;
    }
    metrics.scrape().then(
      (text) => {
        // Counted once the answer is handed to the socket, so a close right after does not cut it.
        res.once('finish', () => {
          scrapes++;
          onScrape?.();
        });
        res
          .writeHead(200, { 'content-type': metrics.contentType })
          .end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`);
      },
    );
  });
  hardenServer(server);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      // The preflight found the port free; someone took it since.
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError(
              `option --metrics-port: got ${options.port}, but ${options.host}:${options.port} is already in use; allowed: a free port, or 0 to pick one`,
            )
          : err,
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/metrics`,
    get scrapes() {
      return scrapes;
    },
    close: (lingerS = 0) => {
      closed ??= (async () => {
        if (lingerS > 0) {
          await new Promise<void>((resolve) => {
            // Holds the process open on purpose: the linger is what the user asked for.
            const timer = setTimeout(resolve, lingerS * 1000);
            onScrape = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}

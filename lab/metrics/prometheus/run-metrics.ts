import type { LabOptions } from '../../config/parse-options.js';
import type { MetricsSource } from './lab-metrics.js';
import type { MetricsServer } from './metrics-server.js';

/**
 * `--metrics-port`: starts the endpoint on a run that has started (none without the option) and announces
 * its URL on one line, `metrics listening on http://127.0.0.1:PORT/metrics`.
 */
export async function startRunMetrics(
  options: Pick<LabOptions, 'host' | 'metricsPort'>,
  source: MetricsSource,
  announce: (line: string) => void,
): Promise<MetricsServer | undefined> {
  if (options.metricsPort === undefined) return undefined;
  // prom-client is loaded only for runs that serve metrics: start-up time counts for short virtual runs.
  const { startMetricsServer } = await import('./metrics-server.js');
  const server = await startMetricsServer({ host: options.host, port: options.metricsPort, source });
  announce(`metrics listening on ${server.url}`);
  return server;
}

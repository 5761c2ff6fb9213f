/**
 * The courier as an HTTP server: `POST <path>` answered by the courier policy, with latency waited out on
 * the scenario clock (so `--speed` scales it). Runs alone (`npm run courier`) or inside its own worker
 * thread in the lab (courier-thread.ts); either way it is this one function.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CourierOptions } from '../config/parse-options.js';
import { hardenServer, MAX_BODY_BYTES, readJsonBody } from '../http/json-http.js';
import { wallNowMs, type Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { FAILURE_BODY, FORBIDDEN_BODY, THROTTLED_BODY, TIMEOUT_BODY } from './courier-policy.js';
import type { CourierLogSink } from './courier-log.js';
import type { CourierStats } from './courier-stats.js';
import { CourierService, type Arrival } from './courier-service.js';

export interface CourierServerOptions {
  options: CourierOptions;
  clock: Clock;
  random: Random;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Where `slow-api` lines go; none are built when absent. */
  logWriter?: CourierLogSink;
  /** Counters to add to (shared memory when the server runs in a worker); a fresh set when absent. */
  stats?: CourierStats;
  /** Wall ms at scenario time 0, for log timestamps. @default derived from the clock at start */
  startedAtMs?: number;
}

export interface CourierServer {
  url: string;
  port: number;
  stats: CourierStats;
  service: CourierService;
  /** Stops accepting, ends keep-alive and in-flight sockets at once, cancels pending answers. */
  close(): Promise<void>;
}

const NOT_FOUND_BODY = '{"message":"Not Found"}';
const METHOD_NOT_ALLOWED_BODY = '{"message":"Method Not Allowed"}';
const TOO_LONG_BODY = '{"message":"Request Too Long"}';
const JSON_TYPE = 'application/json';
const ALLOW_POST = ['allow', 'POST'];
const CONNECTION_CLOSE = ['connection', 'close'];

/** Log messages of the constant bodies, so the answer path never parses a body back. */
const MESSAGES = new Map<string, string>([
  [FORBIDDEN_BODY, 'Forbidden'],
  [THROTTLED_BODY, 'Too Many Requests'],
  [FAILURE_BODY, 'Internal server error'],
  [TIMEOUT_BODY, 'Endpoint request timed out'],
  [NOT_FOUND_BODY, 'Not Found'],
  [METHOD_NOT_ALLOWED_BODY, 'Method Not Allowed'],
  [TOO_LONG_BODY, 'Request Too Long'],
]);

export function messageOf(status: number, body: string): string {
  if (status === 200) return 'delivery scheduled';
  const known = MESSAGES.get(body);
  if (known !== undefined) return known;
  const m = /"message":"([^"]*)"/.exec(body);
  return m ? m[1]! : '';
}

/** Answers with a JSON text body; a no-op once the client has gone. */
function send(
  res: ServerResponse,
  status: number,
  body: string,
  correlationId: string | undefined,
  extra?: readonly string[],
): void {
  if (res.destroyed || res.headersSent) return;
  // Flat [name, value, ...] headers: cheaper than an object on this path, which every request takes.
  const headers = ['content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(body))];
  if (correlationId !== undefined) headers.push('x-correlation-id', correlationId);
  if (extra) headers.push(...extra);
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * Order of checks, as API Gateway does it: route (404), method (405), a declared body over 64 KiB (413),
 * then the usage plan at arrival: key (403), bucket (429), answered at once without reading the body;
 * only an admitted request's body is read (400 malformed, 413 oversized while streaming, 415 not JSON),
 * then the integration decides 502 or a latency (200, or 504 at the timeout).
 */
export function startCourierServer(config: CourierServerOptions): Promise<CourierServer> {
  const { clock } = config;
  const host = config.host ?? '127.0.0.1';
  const service = new CourierService({
    options: config.options,
    clock,
    random: config.random,
    logWriter: config.logWriter,
    stats: config.stats,
    startedAtMs: config.startedAtMs ?? wallNowMs() - clock.now() / clock.speed,
  });
  const { options, stats } = service;

  const finish = (
    res: ServerResponse,
    arrival: Arrival,
    status: number,
    body: string,
    extra?: readonly string[],
  ): void => {
    // Counted before the answer leaves, so a client that has its answer also sees it counted.
    service.answered(arrival, status, messageOf(status, body));
    send(res, status, body, arrival.correlationId, extra);
  };

  const integrate = (req: IncomingMessage, res: ServerResponse, arrival: Arrival): void => {
    void readJsonBody(req, MAX_BODY_BYTES).then((result) => {
      if (!result.ok) {
        const body = result.status === 413 ? TOO_LONG_BODY : JSON.stringify({ message: result.message });
        const extra = result.status === 413 ? CONNECTION_CLOSE : undefined;
        finish(res, arrival, result.status, body, extra);
        return;
      }
      service.integrate(arrival, (outcome) => finish(res, arrival, outcome.status, outcome.body));
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = req.headers;
    const cid = headers['x-correlation-id'];
    const arrival = service.arrive(
      typeof cid === 'string' ? cid : undefined,
      req.method ?? '',
      req.url ?? '',
    );
    const url = req.url ?? '';
    const query = url.indexOf('?');
    if ((query === -1 ? url : url.slice(0, query)) !== options.path) {
      finish(res, arrival, 404, NOT_FOUND_BODY);
      return;
    }
    if (req.method !== 'POST') {
      finish(res, arrival, 405, METHOD_NOT_ALLOWED_BODY, ALLOW_POST);
      return;
    }
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
      finish(res, arrival, 413, TOO_LONG_BODY, CONNECTION_CLOSE);
      return;
    }
    const key = headers['x-api-key'];
    // An answer sent before the body is read is fine: node discards the rest and keeps the connection.
    const refusal = service.admit(arrival, typeof key === 'string' ? key : undefined);
    if (refusal) {
      finish(res, arrival, refusal.status, refusal.body);
      return;
    }
    integrate(req, res, arrival);
  };

  // Check stalled requests every second (Node's default, 30 s, lets a half-sent request hold a socket).
  const server = createServer({ connectionsCheckingInterval: 1000 }, handle);
  hardenServer(server);

  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(config.port ?? 0, host, () => {
      server.off('error', onError);
      const port = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${shownHost}:${port}`,
        port,
        stats,
        service,
        close: () => {
          closing ??= new Promise<void>((done) => {
            service.close();
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}

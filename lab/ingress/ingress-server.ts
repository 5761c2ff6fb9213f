/**
 * The lab's front door, like the seed's API Gateway: `POST /notify`, no API key, no throttle. The built-in
 * load and outside clients (Artillery, curl) both come through here. Every refusal is JSON
 * `{"message": ...}`; slow or half-sent requests are cut off by `hardenServer`, never crash the server.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, describeValue } from '../config/config-error.js';
import { hardenServer, readJsonBody, sendJson } from '../http/json-http.js';

export const NOTIFY_PATH = '/notify';
/** Header bytes a request may carry (Node's default, stated). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Real ms that in-flight requests get to finish after `close()` before their sockets are destroyed. */
export const CLOSE_GRACE_MS = 1000;

export interface NotifyAnswer {
  status: number;
  body: unknown;
}

/** Told once per answered request (for metrics); `ms` is real time from arrival to answer. */
export interface IngressRequestEvent {
  method: string;
  path: string;
  status: number;
  ms: number;
}

export interface IngressOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Handles a well-formed order: the body is a parsed JSON object. A throw answers 500. */
  onNotify: (body: Record<string, unknown>, headers: IncomingHttpHeaders) => Promise<NotifyAnswer>;
  onRequest?: (event: IngressRequestEvent) => void;
}

export interface Ingress {
  /** `http://HOST:PORT`, no trailing slash. */
  url: string;
  port: number;
  /** Stops accepting, closes idle keep-alive sockets at once and the rest after a short grace. */
  close(): Promise<void>;
}

/** The line headless runs print so an outside client can find the door. */
export function ingressListeningLine(url: string): string {
  return `ingress listening on ${url}`;
}

export async function startIngress(options: IngressOptions): Promise<Ingress> {
  const host = options.host ?? '127.0.0.1';
  let closing = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (
      status: number,
      body: unknown,
      closeAfter = false,
      headers: Record<string, string> = {},
    ): number => {
      sendJson(res, status, body, headers, closeAfter || closing);
      return status;
    };
    if (path !== NOTIFY_PATH) {
      return answer(404, { message: `Not Found: the lab serves POST ${NOTIFY_PATH}` }, drain(req));
    }
    if (req.method !== 'POST') {
      return answer(405, { message: `Method Not Allowed: use POST ${NOTIFY_PATH}` }, drain(req), {
        allow: 'POST',
      });
    }
    const body = await readJsonBody(req);
    if (!body.ok) {
      // 413 and 415 leave the body unread: close the socket so the rest is never parsed as a request.
      return answer(body.status, { message: body.message }, body.status !== 400);
    }
    if (
      body.bytes === 0 ||
      body.value === null ||
      typeof body.value !== 'object' ||
      Array.isArray(body.value)
    ) {
      const got =
        body.bytes === 0 ? 'an empty body' : Array.isArray(body.value) ? 'a list' : shortValue(body.value);
      return answer(400, { message: `Invalid request body: expected a JSON object (an order), got ${got}` });
    }
    const result = await options.onNotify(body.value as Record<string, unknown>, req.headers);
    return answer(result.status, result.body);
  };

  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: 1000 },
    (req, res) => {
      const started = performance.now();
      handle(req, res)
        .catch(() => {
          sendJson(res, 500, { message: 'Internal Server Error' }, {}, closing);
          return 500;
        })
        .then((status) => {
          options.onRequest?.({
            method: req.method ?? '',
            path: (req.url ?? '/').split('?')[0] ?? '/',
            status,
            ms: performance.now() - started,
          });
        })
        .catch(() => {
          // An onRequest observer that throws must not take the server down.
        });
    },
  );
  hardenServer(server);

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new ConfigError(
            `option --port: got ${options.port}; port ${options.port} on ${host} is already in use; allowed: a free port, or 0 to pick one`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new ConfigError(
            `option --port: got ${options.port}; not allowed to listen on it (EACCES); allowed: a port from 1024, or 0 to pick one`,
          ),
        );
      } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        reject(
          new ConfigError(
            `option --host: got ${describeValue(host)}; not an address of this machine (${err.code})`,
          ),
        );
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

/** Discards a body nobody will read; true when one may still be arriving (so the socket should close). */
function drain(req: IncomingMessage): boolean {
  req.resume();
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A JSON scalar for a message, cut short: the body may be 64 KiB of string. */
function shortValue(value: unknown): string {
  const text = describeValue(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

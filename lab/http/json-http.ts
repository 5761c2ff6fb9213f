import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Request bodies above this are refused with 413, as both API Gateway-like doors do. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Real milliseconds a client gets to send its headers and body; a stalled client is cut off. */
export const REQUEST_TIMEOUT_MS = 10_000;

export type BodyResult =
  { ok: true; value: unknown; bytes: number } | { ok: false; status: 400 | 413 | 415; message: string };

/**
 * Reads a JSON body with a size limit. An oversized body is answered at once, without reading the rest
 * (the socket is closed after the answer so the sender cannot keep streaming).
 */
export function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  return new Promise((resolve) => {
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/(.+\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type)) {
      req.resume();
      resolve({ ok: false, status: 415, message: 'Unsupported Media Type: send application/json' });
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve({ ok: false, status: 413, message: 'Request Too Long' });
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > limit) {
        done = true;
        resolve({ ok: false, status: 413, message: 'Request Too Long' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        resolve({ ok: true, value: {}, bytes });
        return;
      }
      try {
        resolve({ ok: true, value: JSON.parse(text), bytes });
      } catch {
        resolve({ ok: false, status: 400, message: 'Could not parse request body into json' });
      }
    });
    req.on('error', () => {
      if (!done) {
        done = true;
        resolve({ ok: false, status: 400, message: 'Bad Request' });
      }
    });
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  closeAfter = false,
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(closeAfter ? { connection: 'close' } : {}),
    ...headers,
  });
  res.end(text);
}

/** Limits that keep a slow or half-sent request from holding a socket for ever. */
export function hardenServer(server: Server): void {
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 65_000;
  server.maxHeadersCount = 100;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') {
      // As Node itself would answer: 431 for headers past maxHeaderSize (16 KiB by default), 408 for a
      // request not whole within REQUEST_TIMEOUT_MS.
      const status =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    } else socket.destroy();
  });
}

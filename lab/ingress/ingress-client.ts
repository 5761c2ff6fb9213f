/**
 * How the built-in load posts orders: over HTTP to the ingress, the same door outside clients use, through
 * an undici Pool with a bounded number of keep-alive connections (further requests wait in the pool).
 */
import { createRequire } from 'node:module';
import type { Pool } from 'undici';

/** undici, loaded by the threads engine's first client: a virtual run, which makes no call, skips its 120 ms. */
let undici: typeof import('undici') | undefined;
function undiciPool(): typeof Pool {
  undici ??= createRequire(import.meta.url)('undici') as typeof import('undici');
  return undici.Pool;
}
import { NOTIFY_PATH } from './ingress-server.js';

export interface IngressClientOptions {
  /** Keep-alive connections at most; default 64. */
  connections?: number;
  /** Real ms to wait for an answer's headers, then the post fails; default 120 000. */
  timeoutMs?: number;
}

export interface IngressAnswer {
  status: number;
  /** The parsed JSON answer, or its text when it is not JSON. */
  body: unknown;
}

export interface IngressClient {
  postOrder(order: unknown, options?: { signal?: AbortSignal }): Promise<IngressAnswer>;
  /** Waits for posts under way, then closes the connections. */
  close(): Promise<void>;
  /** Ends at once: posts under way reject. */
  destroy(): Promise<void>;
}

export function createIngressClient(url: string, options: IngressClientOptions = {}): IngressClient {
  const origin = new URL(url).origin;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pool = new (undiciPool())(origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    async postOrder(order, postOptions = {}) {
      const response = await pool.request({
        method: 'POST',
        path: NOTIFY_PATH,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(order),
        signal: postOptions.signal,
      });
      const text = await response.body.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Not JSON (a proxy or a foreign server answered): keep the text for the report.
      }
      return { status: response.statusCode, body };
    },
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}

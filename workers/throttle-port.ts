import type { MessagePort } from 'node:worker_threads';

/** Messages on a throttle channel. The worker asks; the main thread grants when its bucket allows. */
export type ThrottleRequest = { type: 'acquire'; id: number } | { type: 'cancel'; id: number };
export type ThrottleReply = { type: 'grant'; id: number } | { type: 'deny'; id: number; reason: string };

const ids = new WeakMap<MessagePort, number>();

/** Worker side: resolves once the main thread grants a token for one courier call. */
export function requestToken(port: MessagePort, signal: AbortSignal): Promise<void> {
  const id = (ids.get(port) ?? 0) + 1;
  ids.set(port, id);
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onMessage = (reply: ThrottleReply): void => {
      if (reply.id !== id) return;
      cleanup();
      if (reply.type === 'grant') resolve();
      else reject(new Error(`throttle denied: ${reply.reason}`));
    };
    const onAbort = (): void => {
      cleanup();
      port.postMessage({ type: 'cancel', id } satisfies ThrottleRequest);
      reject(signal.reason);
    };
    const cleanup = (): void => {
      port.off('message', onMessage);
      signal.removeEventListener('abort', onAbort);
    };
    port.on('message', onMessage);
    signal.addEventListener('abort', onAbort, { once: true });
    port.postMessage({ type: 'acquire', id } satisfies ThrottleRequest);
  });
}

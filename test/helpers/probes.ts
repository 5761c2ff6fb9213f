import { connect } from 'node:net';
import { ConfigError } from '../../lab/config/config-error.js';

/** Resolves to how a TCP connection to the URL's port went: 'open' or the error code (ECONNREFUSED). */
export function probe(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** The message of the ConfigError that `fn` throws (anything else fails the test). */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

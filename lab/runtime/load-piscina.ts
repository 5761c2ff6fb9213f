import { createRequire } from 'node:module';

/**
 * piscina, loaded where a pool is first made: loading it (and the streams, assert and perf_hooks it brings)
 * took 15 to 40 ms of every start, and a virtual run makes no pool. It is CommonJS, so `require` loads it
 * synchronously.
 */
export function loadPiscina(): typeof import('piscina') {
  return createRequire(import.meta.url)('piscina') as typeof import('piscina');
}

/**
 * Files the lab finds at run time (worker entry points, the report's script) by their place in the project,
 * not next to the module asking: `npm run lab` runs the main thread from one bundle (bin/lab.mjs), where
 * every module's `import.meta.url` is the bundle's, and says where its build's tree is. From the sources
 * (tsx, tests) or inside a worker thread (which runs the unbundled tree), this file's own place tells.
 */
import { fileURLToPath } from 'node:url';

const BUILD_ROOT = Symbol.for('stormlab.buildRoot');

/** The extension of the lab's modules where they run: .ts under tsx, .js from a build. */
export const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

function root(): URL {
  const given = (globalThis as Record<symbol, unknown>)[BUILD_ROOT];
  return typeof given === 'string' ? new URL(given) : new URL('..', import.meta.url);
}

/** A project file's URL, from the project's (or the build's) root: `projectFile('workers/x.js')`. */
export function projectFile(path: string): URL {
  return new URL(path, root());
}

/** A module's path, given without extension: `modulePath('workers/function-worker')`. */
export function modulePath(pathNoExt: string): string {
  return fileURLToPath(projectFile(`${pathNoExt}${MODULE_EXT}`));
}

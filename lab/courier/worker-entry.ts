/**
 * What to hand `new Worker()` for one of our modules, from source (`.ts` under `node --import tsx`) or from
 * a build (`.js`).
 *
 * Why not the `.ts` file itself: on Node 20 a plain worker_threads Worker inherits `--import tsx`, but
 * tsx's ESM hooks do not apply inside workers, so a `.ts` entry fails with ERR_UNKNOWN_FILE_EXTENSION
 * (piscina escapes this because its own worker `require()`s the task file). tsx's CommonJS hook does work
 * there, so from source the worker starts on a tiny data: URL module that `require()`s the file. (An
 * `eval: true` worker would not do: eval workers skip `--import`.)
 */
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULE_EXT, projectFile } from '../project-file.js';

/**
 * @param fromModule `import.meta.url` of the module starting the worker (its extension is the one used).
 * @param relativeNoExt the worker module, relative to `fromModule`, without extension.
 */
export function workerEntry(fromModule: string, relativeNoExt: string): URL {
  const ext = extname(fileURLToPath(fromModule));
  const file = new URL(`${relativeNoExt}${ext}`, fromModule);
  if (ext !== '.ts') return file;
  const path = JSON.stringify(fileURLToPath(file));
  const code = `import { createRequire } from 'node:module'; createRequire(${path})(${path});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** The same for one of the lab's modules, by its place in the project: `projectWorkerEntry('workers/x')`. */
export function projectWorkerEntry(pathNoExt: string): URL {
  return workerEntry(projectFile(`${pathNoExt}${MODULE_EXT}`).href, `./${basename(pathNoExt)}`);
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's browser build and stylesheet, read once from node_modules so the page can inline them. */
export interface UplotAssets {
  js: string;
  css: string;
}

let cached: UplotAssets | undefined;

export function uplotAssets(): UplotAssets {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const read = (file: string): string => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    cached = { js: read('uPlot.iife.min.js'), css: read('uPlot.min.css') };
  }
  return cached;
}

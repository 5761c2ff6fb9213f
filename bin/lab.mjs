// `npm run lab` starts here: it runs the lab from a build of its TypeScript, made with esbuild when the
// sources change, instead of compiling every module through tsx at each start (0.6 s of a 2-second run).
// Tests and the bench's helpers still run the sources under tsx; this is only the command's start-up.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What the lab runs: its entry point imports from these, and its worker threads start files in them. */
const SOURCE_DIRS = ['lab', 'workers', 'tui'];
/** Where builds go; a test gives its own. */
const BUILDS = process.env.STORMLAB_BUILD_DIR ?? join(root, 'dist');
/** The bundle the main thread runs, in a build. */
const MAIN = join('main', 'cli.js');
/** Builds kept besides the current one: a dashboard started before an edit may still start workers. */
const KEEP_OLD_BUILDS = 3;

function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(root, dir));
  return files.sort();
}

/** A build's name: changes whenever a source file is added, removed or touched, or esbuild changes. */
function buildKey(files, esbuildVersion) {
  const hash = createHash('sha256').update(`${esbuildVersion}\n${process.version}\n`);
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(root, file)} ${size} ${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** esbuild's version, read from its package file: importing esbuild costs 60 ms, paid only to build. */
function esbuildVersion() {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
}

async function ensureBuild() {
  const files = sourceFiles();
  const dir = join(BUILDS, buildKey(files, esbuildVersion()));
  if (existsSync(join(dir, MAIN))) return dir;
  const esbuild = await import('esbuild');
  // Built aside and renamed into place, so that two labs starting at once never run a half-written build.
  const scratch = join(BUILDS, `.building-${process.pid}-${Date.now()}`);
  await esbuild.build({
    entryPoints: files.filter((f) => f.endsWith('.ts')),
    outdir: scratch,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  // The main thread's modules in one bundle (what `import()` loads later in chunks of its own): loading
  // 150 modules one by one took longer than the storm's first minute. Worker threads start files of the
  // tree above, which finds its files next to itself; the bundle finds them from the root it is given.
  await esbuild.build({
    entryPoints: [join(root, 'lab', 'cli.ts')],
    bundle: true,
    splitting: true,
    packages: 'external',
    outdir: join(scratch, 'main'),
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  for (const file of files.filter((f) => !f.endsWith('.ts')))
    cpSync(file, join(scratch, relative(root, file)));
  try {
    renameSync(scratch, dir);
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(join(dir, MAIN))) throw err;
  }
  pruneOldBuilds(dir);
  return dir;
}

function pruneOldBuilds(current) {
  const builds = readdirSync(BUILDS)
    // Builds only (named by their key): not one being made, nor anything else in the folder.
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .map((name) => join(BUILDS, name))
    .filter((path) => path !== current)
    .map((path) => ({ path, mtimeMs: statSync(path).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { path } of builds.slice(KEEP_OLD_BUILDS)) rmSync(path, { recursive: true, force: true });
}

mkdirSync(BUILDS, { recursive: true });
const build = await ensureBuild();
// Where the bundle finds worker entry points and assets (lab/project-file.ts).
globalThis[Symbol.for('stormlab.buildRoot')] = pathToFileURL(build + '/').href;
await import(pathToFileURL(join(build, MAIN)).href);

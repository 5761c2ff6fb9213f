/**
 * --speed per engine: real threads, sockets and timers keep to 1000; the virtual engine paces a virtual clock
 * and goes to 100000. A bad combination is refused through the real command with exit 2 and one line.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCourierOptions, parseLabOptions } from '../lab/config/parse-options.js';
import { messageOf } from './helpers/probes.js';

t.test('the virtual engine takes speeds beyond 1000; threads and the courier keep to 1000', async (t) => {
  t.equal(parseLabOptions(['--engine', 'virtual', '--speed', '1000']).speed, 1000);
  t.equal(parseLabOptions(['--engine', 'virtual', '--speed', '5000']).speed, 5000);
  t.equal(parseLabOptions(['--engine', 'virtual', '--speed', '100000']).speed, 100000);
  t.equal(parseLabOptions(['compare', '--speed', '20000']).speed, 20000, 'compare runs virtual by default');
  t.equal(parseLabOptions(['--speed', '1000']).speed, 1000, 'threads at its maximum');
  t.equal(
    messageOf(() => parseLabOptions(['--speed', '1001'])),
    'option --speed: got 1001 with --engine threads; allowed: a number above 0 to 1000 (up to 100000 with --engine virtual)',
  );
  t.equal(
    messageOf(() => parseLabOptions(['--engine', 'threads', '--speed', '5000'])),
    'option --speed: got 5000 with --engine threads; allowed: a number above 0 to 1000 (up to 100000 with --engine virtual)',
  );
  t.match(
    messageOf(() => parseLabOptions(['--engine', 'virtual', '--speed', '100001'])),
    /^option --speed: got "100001"; allowed: a number above 0 to 100000$/,
  );
  t.equal(
    messageOf(() => parseCourierOptions(['--speed', '2000'])),
    'option --speed: got 2000; allowed: a number above 0 to 1000 (the courier runs on real time)',
  );
});

t.test('the command refuses threads beyond 1000 with exit 2, one line, before anything starts', async (t) => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'lab/cli.ts', '--headless', '--engine', 'threads', '--speed', '5000'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  t.equal(code, 2);
  t.equal(stdout, '');
  t.equal(
    stderr,
    'stormlab: option --speed: got 5000 with --engine threads; allowed: a number above 0 to 1000 (up to 100000 with --engine virtual)\n',
  );
});

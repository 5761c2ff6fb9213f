/**
 * Bad input through the real command (issue 7, item 4): refused before anything starts, with exit code 2,
 * nothing on stdout, exactly one line on stderr naming the input, the value and what is allowed, and no
 * file, folder or listening port left behind. A few cases only (each is a process start); the full tables
 * run in process in config-options, config-file and config-preflight.
 */
import t from 'tap';
import { ROOT, runCli } from './helpers/run-cli.js';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-cli-bad-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('refused before anything starts: exit 2, one line, nothing left behind', async (t) => {
  // A port someone else holds.
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const heldPort = (holder.address() as AddressInfo).port;
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'x');
  const tagged = join(dir, 'tagged.yaml');
  writeFileSync(tagged, 'speed: !!js/function "function () { process.exit(3) }"\n');
  const fixtures = join(ROOT, 'test', 'fixtures');

  const cases: { name: string; args: string[]; line: RegExp }[] = [
    {
      name: 'speed zero',
      args: ['--speed', '0'],
      line: /option --speed: got "0"; allowed: a number above 0 to 1000/,
    },
    { name: 'unknown option', args: ['--bogus', '1'], line: /unknown option --bogus/ },
    { name: 'config with a tag', args: ['--config', tagged], line: /uses a YAML tag at line 1, column 8/ },
    {
      name: 'artillery without phases',
      args: ['--scenario', join(fixtures, 'artillery-no-phases.yml')],
      line: /has no config\.phases; allowed/,
    },
    {
      name: 'report under a file',
      args: ['--report', join(aFile, 'r.json')],
      line: /--report: ".*" cannot be written \(a part of the path is a file, not a folder\)/,
    },
    {
      name: 'port in use',
      args: ['--port', String(heldPort)],
      line: new RegExp(
        `--port: got ${heldPort}, but 127.0.0.1:${heldPort} is already in use; allowed: a free port`,
      ),
    },
  ];
  try {
    const outcomes = await Promise.all(
      cases.map((c, i) => {
        // Each case names its own report and log in a folder that must not exist afterwards. The smoke
        // scenario keeps the run short should a case wrongly start.
        const own = join(dir, `case-${i}`);
        const args = ['--headless', ...c.args, '--log-file', join(own, 'l.jsonl')];
        if (!c.args.includes('--scenario')) args.push('--scenario', 'smoke');
        if (!c.args.includes('--report')) args.push('--report', join(own, 'r.json'));
        return runCli(args);
      }),
    );
    cases.forEach((c, i) => {
      const o = outcomes[i]!;
      t.equal(o.code, 2, `${c.name}: exit code 2`);
      t.equal(o.stdout, '', `${c.name}: nothing on stdout (no ingress line: nothing started)`);
      const lines = o.stderr.split('\n').filter((l) => l !== '');
      t.equal(lines.length, 1, `${c.name}: one line on stderr`);
      t.match(lines[0], /^stormlab: /, `${c.name}: says who speaks`);
      t.match(lines[0], c.line, `${c.name}: names the input, the value and what is allowed`);
      t.notOk(existsSync(join(dir, `case-${i}`)), `${c.name}: no report or log folder left behind`);
    });
  } finally {
    holder.close();
  }
  t.notOk(existsSync(join(aFile, 'r.json')), 'nothing written');
});

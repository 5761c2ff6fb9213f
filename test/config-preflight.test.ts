/**
 * What the CLI refuses after parsing and before starting anything (issue 7, item 4): a scenario file that
 * is missing or not an Artillery file, a report or log path that cannot be written, a port in use, a host
 * that is not this machine's. Each refusal is one line; a refused check leaves no file or folder behind.
 */
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConfigError } from '../lab/config/config-error.js';
import { labOptionsWith, type LabOptions } from '../lab/config/parse-options.js';
import { checkPortFree, checkWritable, preflight } from '../lab/preflight.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-preflight-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = new URL('./fixtures/', import.meta.url).pathname;

async function refusal(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '(accepted)';
}

function options(overrides: Partial<LabOptions>): LabOptions {
  return labOptionsWith({ scenario: 'smoke', ...overrides });
}

t.test('scenario files: missing, a folder, not YAML, without phases, with a tag', async (t) => {
  const cases: [string, RegExp][] = [
    [
      join(dir, 'nope.yml'),
      /--scenario ".*nope.yml": not a preset and no such file; allowed: a preset \(seed-article, seed-repo, smoke, metastable, external\)/,
    ],
    [dir, /is a folder; allowed: an Artillery YAML file/],
    [join(fixtures, 'artillery-not-yaml.txt'), /not valid YAML at line \d+, column \d+/],
    [
      join(fixtures, 'artillery-no-phases.yml'),
      /has no config\.phases; allowed: an Artillery file whose config\.phases/,
    ],
    [join(fixtures, 'artillery-empty-phases.yml'), /config\.phases/],
    [join(fixtures, 'artillery-custom-tag.yml'), /uses a YAML tag at line 2/],
  ];
  for (const [scenario, pattern] of cases) {
    const message = await refusal(() => preflight(options({ scenario })));
    t.match(message, pattern, scenario.replace(dir, '<tmp>'));
    t.notMatch(message, /\n/, 'one line');
  }
});

t.test('report and log paths that cannot be written; nothing left behind', async (t) => {
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'x');
  const before = readdirSync(dir).sort();
  const cases: [Partial<LabOptions>, RegExp][] = [
    [
      { report: join(aFile, 'r.json') },
      /option --report: ".*" cannot be written \(a part of the path is a file, not a folder\); allowed: a file path this user can write/,
    ],
    [{ report: join(aFile, 'deeper', 'still', 'r.json') }, /--report: .*\(a part of the path is a file/],
    [{ report: dir }, /--report: ".*" cannot be written \(is a folder\)/],
    [{ logFile: join(aFile, 'l.jsonl') }, /option --log-file: ".*" cannot be written/],
    [
      { command: 'compare', report: aFile },
      /--report: ".*" cannot be written \(not a folder\); allowed: a folder path/,
    ],
  ];
  if (existsSync('/proc/self')) {
    // mkdirSync(..., { recursive: true }) never returns for such a path on Node 20; the check must.
    cases.push([
      { logFile: '/proc/stormlab-nope/l.jsonl' },
      /--log-file: "\/proc\/stormlab-nope\/l.jsonl" cannot be written \(ENOENT\)/,
    ]);
  }
  for (const [overrides, pattern] of cases)
    t.match(await refusal(() => preflight(options(overrides))), pattern);
  t.same(readdirSync(dir).sort(), before, 'no file or folder made by the refused checks');
});

t.test('a writable path passes, and the probe leaves nothing behind', async (t) => {
  const deep = join(dir, 'new', 'deeper', 'r.json');
  checkWritable(deep, '--report');
  t.notOk(existsSync(join(dir, 'new')), 'the folders the probe made are gone');
  const existing = join(dir, 'existing.json');
  writeFileSync(existing, 'keep me');
  checkWritable(existing, '--report');
  t.ok(existsSync(existing), 'an existing file is kept');
  const folder = join(dir, 'compare-out');
  checkWritable(folder, '--report', true);
  t.notOk(existsSync(folder), 'a compare folder probed and removed');
  mkdirSync(folder);
  checkWritable(folder, '--report', true);
  t.same(readdirSync(folder), [], 'an existing folder is left empty');
});

t.test('a port in use, and a host that is not this machine', async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as AddressInfo).port;
  try {
    t.equal(
      await refusal(() => checkPortFree('127.0.0.1', port)),
      `option --port: got ${port}, but 127.0.0.1:${port} is already in use; allowed: a free port, or 0 to pick one`,
    );
    t.match(await refusal(() => preflight(options({ port }))), /already in use/);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
  t.equal(await refusal(() => checkPortFree('127.0.0.1', port)), '(accepted)', 'free once released');
  t.equal(await refusal(() => checkPortFree('127.0.0.1', 0)), '(accepted)', 'port 0 picks a free one');
  t.match(
    await refusal(() => checkPortFree('192.0.2.1', 0)),
    /^option --host: got "192.0.2.1", which cannot be listened on \(EADDRNOTAVAIL\); allowed: an address of this machine/,
  );
  t.match(await refusal(() => checkPortFree('nowhere.invalid', 0)), /option --host: got "nowhere.invalid"/);
});

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readArtilleryPhases } from '../lab/load/artillery-file.js';
import { resolveScenario } from '../lab/load/presets.js';
import { messageOf } from './helpers/probes.js';

const FIX = 'test/fixtures';

t.test('reads config.phases of an Artillery file, YAML or JSON', async (t) => {
  const scenario = resolveScenario(`${FIX}/artillery-seed-repo.yml`);
  t.same(scenario, {
    name: `${FIX}/artillery-seed-repo.yml`,
    phases: [
      { name: 'Warm up', duration: 60, arrivalRate: 2 },
      { name: 'Ramp up load', duration: 120, arrivalRate: 3, rampTo: 5 },
      { name: 'Sustained load', duration: 900, arrivalRate: 5, rampTo: 20 },
    ],
    external: false,
    source: 'file',
    faults: [],
  });
  t.same(scenario.phases, resolveScenario('seed-repo').phases, 'the seed-repo preset is the repository file');
  t.same(readArtilleryPhases(`${FIX}/artillery-mixed.yml`), [
    { name: 'strings', duration: 10, arrivalRate: 1 },
    { pause: 60 },
    { name: 'counted', duration: 1800, arrivalCount: 90 },
  ]);
  t.same(readArtilleryPhases(`${FIX}/artillery-phases.json`), [{ duration: 30, arrivalRate: 2, rampTo: 4 }]);
});

t.test('file errors name --scenario, the path and the problem', async (t) => {
  const cases: [string, string][] = [
    [
      'missing.yml',
      '--scenario "missing.yml": not a preset and no such file; allowed: a preset (seed-article, seed-repo, smoke, metastable, external) or an Artillery YAML file',
    ],
    [FIX, `--scenario "${FIX}": is a folder; allowed: an Artillery YAML file`],
    [
      `${FIX}/artillery-not-yaml.txt`,
      `--scenario "${FIX}/artillery-not-yaml.txt": not valid YAML at line 4, column 20: Nested mappings are not allowed in compact mappings; allowed: an Artillery YAML file`,
    ],
    [
      `${FIX}/artillery-no-phases.yml`,
      `--scenario "${FIX}/artillery-no-phases.yml": has no config.phases; allowed: an Artillery file whose config.phases lists the load phases`,
    ],
    [
      `${FIX}/artillery-empty-phases.yml`,
      `--scenario "${FIX}/artillery-empty-phases.yml": config.phases is empty; allowed: at least one phase`,
    ],
    [
      `${FIX}/artillery-bad-phase.yml`,
      `--scenario "${FIX}/artillery-bad-phase.yml": config.phases[1].duration: got -5; allowed: a number of seconds above 0 (at most 604800), or a string such as "10s", "2m" or "1h"`,
    ],
    [
      `${FIX}/artillery-custom-tag.yml`,
      `--scenario "${FIX}/artillery-custom-tag.yml": uses a YAML tag at line 2, column 11: Unresolved tag: tag:yaml.org,2002:js/function; allowed: plain YAML data, without tags`,
    ],
    ['/dev/null', '--scenario "/dev/null": is not a regular file; allowed: an Artillery YAML file'],
  ];
  for (const [path, expected] of cases)
    t.equal(
      messageOf(() => resolveScenario(path)),
      expected,
      path,
    );
});

t.test('more files that are not Artillery files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stormlab-artillery-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const empty = write('empty.yml', '');
  t.match(
    messageOf(() => readArtilleryPhases(empty)),
    /: has no config\.phases;/,
  );
  const list = write('list.yml', '- 1\n- 2\n');
  t.match(
    messageOf(() => readArtilleryPhases(list)),
    /: has no config\.phases;/,
  );
  const two = write('two.yml', 'config: {}\n---\nconfig: {}\n');
  t.match(
    messageOf(() => readArtilleryPhases(two)),
    /: not valid YAML at line 2, column 1: holds more than one document \(a --- line starts another\); allowed/,
  );
  const dup = write('dup.yml', 'config:\n  phases: []\n  phases: [{pause: 1}]\n');
  t.match(
    messageOf(() => readArtilleryPhases(dup)),
    /: not valid YAML at line 3, column 3: Map keys must be unique/,
  );
  const laughs = write(
    'laughs.yml',
    [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'config: {phases: *d}',
    ].join('\n'),
  );
  t.match(
    messageOf(() => readArtilleryPhases(laughs)),
    /: cannot be expanded: Excessive alias count/,
  );
  const big = write('big.yml', `# ${'x'.repeat(1024 * 1024)}\n`);
  t.match(
    messageOf(() => readArtilleryPhases(big)),
    /: is 1048579 bytes long; allowed: an Artillery YAML file of at most 1048576 bytes/,
  );
});

t.test(
  'an unreadable file',
  { skip: process.getuid?.() === 0 && 'running as root, which reads any file' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stormlab-artillery-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const locked = join(dir, 'locked.yml');
    writeFileSync(locked, 'config: {phases: [{pause: 1}]}\n');
    chmodSync(locked, 0o000);
    t.equal(
      messageOf(() => readArtilleryPhases(locked)),
      `--scenario "${locked}": cannot be read (EACCES); allowed: a readable Artillery YAML file`,
    );
  },
);

t.test('explicit YAML tags are refused, even the ones the core schema knows', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stormlab-tags-'));
  const path = join(dir, 'tagged.yml');
  writeFileSync(path, 'config:\n  phases:\n    - duration: !!binary aGVsbG8=\n      arrivalRate: 1\n');
  t.throws(() => readArtilleryPhases(path), /uses a YAML tag at line 3/);
});

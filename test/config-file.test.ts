/**
 * `--config FILE` (issue 7, items 4 and 5): a file that is missing, unreadable, too big, not YAML (with line
 * and column), not a mapping, or holding unknown fields is refused with one line naming the file, the
 * problem and what is allowed. YAML is data only: tags such as `!!js/function` are refused, never resolved,
 * and the yaml package prints no warning of its own.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../lab/config/config-error.js';
import { MAX_CONFIG_FILE_BYTES, parseCourierOptions, parseLabOptions } from '../lab/config/parse-options.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-config-file-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refusal(argv: string[], parse: (argv: string[]) => unknown = parseLabOptions): string {
  try {
    parse(argv);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '(accepted)';
}

/** Runs `fn` and returns the process warnings it caused (the yaml package warns through emitWarning). */
async function warningsDuring(fn: () => void): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (w: Error): number => seen.push(w.message);
  process.on('warning', onWarning);
  try {
    fn();
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

t.test('a good file sets options; the command line wins over it', async (t) => {
  const yaml = file('good.yaml', 'speed: 25\ncourierRate: 4\nmode: queue\ncourier-latency-ms: 1000-10000\n');
  const o = parseLabOptions(['--config', yaml, '--mode', 'throttle']);
  t.equal(o.speed, 25);
  t.equal(o.courier.rate, 4, 'camelCase names work');
  t.equal(o.mode, 'throttle', 'the command line wins');
  t.same(o.courier.latency, { minMs: 1000, maxMs: 10000 });
  const json = file('good.json', '{"speed": 3, "seed": 8}');
  t.equal(parseCourierOptions(['--config', json]).speed, 3, 'JSON is YAML too');
});

t.test('files that cannot be read', async (t) => {
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  const missing = join(dir, 'missing.yaml');
  t.equal(
    refusal(['--config', missing]),
    `option --config: ${JSON.stringify(missing)} does not exist; allowed: a readable YAML or JSON file`,
  );
  t.match(refusal(['--config', join(file('plain.txt', 'x'), 'under-a-file.yaml')]), /does not exist/);
  t.equal(
    refusal(['--config', folder]),
    `option --config: ${JSON.stringify(folder)} is a folder; allowed: a readable YAML or JSON file`,
  );
  // A FIFO would block a plain read for ever; refused as not a regular file (this works as root too).
  const fifo = join(dir, 'a-fifo');
  execFileSync('mkfifo', [fifo]);
  t.match(refusal(['--config', fifo]), /is not a regular file; allowed: a readable YAML or JSON file/);
  const big = file('big.yaml', `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\nspeed: 2\n`);
  t.match(
    refusal(['--config', big]),
    /is \d+ bytes long; allowed: a YAML or JSON file of at most 262144 bytes/,
  );
  t.match(refusal(['--config', '']), /--config: got ""; allowed: a non-empty string/);
});

t.test('files that are not YAML give the line and column', async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      'flow.yaml',
      'speed: 2\nmode: [none\n',
      /is not valid YAML or JSON at line 3, column 1: .+; allowed: a YAML or JSON file$/,
    ],
    [
      'indent.yaml',
      'speed: 2\n  mode: none\n',
      /is not valid YAML or JSON at line 1, column 8: Nested mappings/,
    ],
    ['json.json', '{"speed": 2,, }', /is not valid YAML or JSON at line 1, column \d+/],
    ['duplicate.yaml', 'speed: 2\nspeed: 3\n', /at line 2, column 1: Map keys must be unique/],
    ['two-docs.yaml', 'speed: 2\n---\nspeed: 3\n', /holds more than one document/],
  ];
  for (const [name, text, pattern] of cases) {
    const message = refusal(['--config', file(name, text)]);
    t.match(message, pattern, name);
    t.notMatch(message, /\n/, `${name}: one line`);
  }
});

t.test(
  'YAML is data only: tags are refused with their place, and the yaml package stays quiet',
  async (t) => {
    const cases: [string, string, RegExp][] = [
      [
        'js-function.yaml',
        'speed: !!js/function "function () { process.exit(3) }"\n',
        /uses a YAML tag at line 1, column 8: Unresolved tag: tag:yaml.org,2002:js\/function; allowed: plain YAML data, without tags/,
      ],
      [
        'custom.yaml',
        'mode: none\nspeed: !custom 5\n',
        /uses a YAML tag at line 2, column 8: Unresolved tag: !custom/,
      ],
      ['binary.yaml', 'courier-api-key: !!binary aGVsbG8=\n', /uses a YAML tag at line 1/],
      ['set.yaml', '!!set { speed }\n', /uses a YAML tag at line 1, column 1/],
    ];
    for (const [name, text, pattern] of cases) {
      const path = file(name, text);
      let message = '';
      const warnings = await warningsDuring(() => (message = refusal(['--config', path])));
      t.match(message, pattern, name);
      t.same(warnings, [], `${name}: no warning printed by the yaml package`);
    }
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [*${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}, *${'abcdefgh'[i]}]`,
      );
    t.match(
      refusal(['--config', file('bomb.yaml', bomb.join('\n') + '\n')]),
      /cannot be expanded: .+; allowed: a YAML file with at most 100 aliases/,
    );
  },
);

t.test('files that hold the wrong thing', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty.yaml', '', /holds nothing; allowed: a mapping of option names to values/],
    ['list.yaml', '- speed\n- 2\n', /holds a list; allowed: a mapping/],
    ['scalar.yaml', 'fast\n', /holds "fast"; allowed: a mapping/],
    ['unknown.yaml', 'sped: 2\n', /unknown field "sped"/],
    [
      'nested.yaml',
      'speed:\n  value: 2\n',
      /field speed: got \{"value":2\}; allowed: a number above 0 to 1000/,
    ],
    ['config.yaml', 'config: other.yaml\n', /unknown field "config"/],
    [
      'backwards.yaml',
      'courier-latency-ms: 2000-100\n',
      /field courier-latency-ms: got "2000-100", a range given backwards/,
    ],
    ['mode.yaml', 'mode: fast\n', /field mode: got "fast"; allowed: one of none, queue, throttle/],
  ];
  for (const [name, text, pattern] of cases) t.match(refusal(['--config', file(name, text)]), pattern, name);
  t.match(
    refusal(['--config', file('lab-only.yaml', 'mode: queue\n')], parseCourierOptions),
    /unknown field "mode"/,
    'the courier alone refuses lab-only fields',
  );
});

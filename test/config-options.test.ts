/**
 * Bad command-line input (issue 7, item 4), table-driven over OPTION_SPECS so that a new option is covered
 * the day it is added: every numeric option at zero, negative, fractional, non-numeric and absurdly large,
 * in each scope it belongs to. A refusal is a ConfigError (exit 2) whose one-line message names the option,
 * the value as given and what the spec allows.
 */
import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../lab/config/config-error.js';
import { allowedText, OPTION_SPECS, type OptionSpec, type Scope } from '../lab/config/option-spec.js';
import { parseCourierOptions, parseLabOptions } from '../lab/config/parse-options.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-config-options-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const NUMERIC = OPTION_SPECS.filter((s) => s.kind === 'number' || s.kind === 'integer');

/** Other options a value needs to stand alone: the visibility timeout may not be below the function's. */
const CONTEXT: Record<string, string[]> = {
  'visibility-timeout-s': ['--function-timeout-s', '1'],
  'function-timeout-s': ['--visibility-timeout-s', '43200'],
  // The spec's range is the virtual engine's; real time keeps to less (config-speed.test.ts).
  speed: ['--engine', 'virtual'],
  'aimd-min': ['--aimd-max', '1000'],
  'aimd-max': ['--aimd-min', '1'],
  'gradient-max': ['--gradient-min-concurrency', '1'],
};

/** Whether the spec's range takes `n` (the rule the help text states, in words). */
function inRange(spec: OptionSpec, n: number): boolean {
  if (spec.kind === 'integer' && !Number.isInteger(n)) return false;
  if (spec.min !== undefined && (spec.minExclusive ? n <= spec.min : n < spec.min)) return false;
  return spec.max === undefined || n <= spec.max;
}

function parse(scope: Scope, argv: string[]): unknown {
  return scope === 'lab' ? parseLabOptions(argv) : parseCourierOptions(argv);
}

/** The ConfigError `fn` throws, or undefined if it throws nothing. */
function refusal(fn: () => unknown): ConfigError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  return undefined;
}

t.test('every numeric option has a range, and none takes a negative number', async (t) => {
  t.ok(NUMERIC.length >= 20, `${NUMERIC.length} numeric options`);
  for (const spec of NUMERIC) {
    t.ok(spec.min !== undefined && spec.min >= 0, `--${spec.name} has a minimum of 0 or more`);
    t.ok(spec.max !== undefined && Number.isFinite(spec.max), `--${spec.name} has a finite maximum`);
    if (spec.default !== undefined)
      t.ok(inRange(spec, Number(spec.default)), `--${spec.name}'s default is in range`);
  }
});

for (const spec of NUMERIC) {
  for (const scope of spec.scopes) {
    if (spec.name === 'speed' && scope === 'courier') continue; // real time: config-speed.test.ts
    t.test(`--${spec.name} (${scope})`, async (t) => {
      const context = scope === 'lab' ? (CONTEXT[spec.name] ?? []) : [];
      const run = (value: string): ConfigError | undefined =>
        refusal(() => parse(scope, [`--${spec.name}`, value, ...context]));
      const refused = (value: string, why: string): void => {
        const err = run(value);
        if (!err) {
          t.fail(`${JSON.stringify(value)} (${why}) was accepted`);
          return;
        }
        t.equal(err.exitCode, 2);
        t.match(err.message, `--${spec.name}`, `${why}: the message names the option`);
        t.match(err.message, JSON.stringify(value), `${why}: the message quotes the value`);
        t.match(err.message, `allowed: ${allowedText(spec)}`, `${why}: the message says what is allowed`);
        t.notMatch(err.message, /\n/, `${why}: one line`);
      };
      const accepted = (value: string, why: string): void => {
        t.equal(run(value)?.message, undefined, `${JSON.stringify(value)} (${why}) accepted`);
      };
      const bySpec = (value: string, why: string): void =>
        inRange(spec, Number(value)) ? accepted(value, why) : refused(value, why);

      bySpec('0', 'zero');
      bySpec('1.5', 'fractional');
      refused('-1', 'negative');
      refused(String(spec.min! - 1), 'below the minimum');
      refused(String(spec.max! + 1), 'one above the maximum');
      refused(String(spec.max! * 1000 + 7), 'absurdly large');
      for (const text of ['1e400', '1e308', '99999999999999999999999']) refused(text, 'absurdly large');
      for (const text of [
        'abc',
        '',
        ' ',
        'NaN',
        'Infinity',
        '-Infinity',
        '0x10',
        '1_000',
        '5abc',
        '1,5',
        '--1',
      ]) {
        refused(text, 'not a number');
      }
      if (spec.kind === 'integer')
        refused(String(spec.min! + 0.5), 'fractional where a whole number is needed');
      if (!spec.minExclusive) accepted(String(spec.min), 'the minimum');
      accepted(String(spec.max), 'the maximum');
      // A value from a config file is held to the same rule, and the message names the file and field.
      const file = join(dir, `${spec.name}-${scope}.yaml`);
      for (const [value, quoted] of [
        ['abc', '"abc"'],
        ['-1', '-1'],
        ['1e400', 'Infinity'],
      ] as const) {
        writeFileSync(file, `${spec.name}: ${value}\n`);
        const err = refusal(() => parse(scope, ['--config', file, ...context]));
        t.match(
          err?.message,
          `config file ${JSON.stringify(file)}: field ${spec.name}: got ${quoted}; allowed: ${allowedText(spec)}`,
        );
      }
    });
  }
}

t.test('lab-only options are unknown to the courier, and unknown options to both', async (t) => {
  for (const spec of OPTION_SPECS.filter((s) => !s.scopes.includes('courier'))) {
    const value = spec.kind === 'boolean' ? [] : ['1'];
    t.match(
      refusal(() => parseCourierOptions([`--${spec.name}`, ...value]))?.message,
      `unknown option --${spec.name}`,
    );
  }
  for (const argv of [['--bogus', '1'], ['--spede', '10'], ['-speed', '10'], ['--']]) {
    t.match(
      refusal(() => parseLabOptions(argv))?.message,
      /unknown option|unexpected argument/,
      argv.join(' '),
    );
    t.ok(
      refusal(() => parseCourierOptions(argv)),
      `courier: ${argv.join(' ')}`,
    );
  }
});

t.test('other refusals name the input, the value and what is allowed', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--mode', 'fast'], /--mode: got "fast"; allowed: one of none, queue, throttle/],
    [['--mode', 'NONE'], /--mode: got "NONE"/],
    [
      ['--retry-policy', 'exponential'],
      /--retry-policy: got "exponential"; allowed: one of tenacity, none, full-jitter/,
    ],
    [['--headless', 'maybe'], /unexpected argument "maybe"/],
    [['frobnicate'], /unknown command "frobnicate"; allowed: compare/],
    [['--speed'], /--speed: no value given; allowed: a number above 0/],
    [['--speed', '--mode', 'queue'], /--speed: no value given/],
    [['--speed', '2', '--speed', '3'], /--speed given twice/],
    [
      ['--courier-latency-ms', '2000-0'],
      /--courier-latency-ms: got "2000-0", a range given backwards; allowed: MIN-MAX/,
    ],
    [['--courier-latency-ms', '0-99999999'], /--courier-latency-ms: got "0-99999999"; allowed: MIN-MAX/],
    [['--courier-latency-ms', '1.5-2'], /got "1.5-2"; allowed: MIN-MAX in milliseconds, whole numbers/],
    [['--courier-latency-ms', '-5-10'], /got "-5-10"/],
    [['--courier-latency-ms', '500'], /got "500"/],
    [['--courier-latency-ms', 'fast'], /got "fast"/],
    [
      ['--courier-url', 'ftp://example.com/x'],
      /--courier-url: got "ftp:\/\/example.com\/x"; allowed: an http/,
    ],
    [['--courier-url', 'not a url'], /--courier-url: got "not a url"/],
    [['--courier-path', 'slow'], /--courier-path: got "slow"; allowed: a URL path/],
    [['--host', ''], /--host: got ""; allowed: a non-empty string/],
    [['--courier-api-key', ' '], /--courier-api-key: got " "/],
    [['--report', 'x'.repeat(5000)], /--report: got "x{80,}\.\.\. \(5000 characters\); allowed/],
    [['--visibility-timeout-s', '20'], /--visibility-timeout-s: got 20, below --function-timeout-s 29/],
  ];
  for (const [argv, pattern] of cases) {
    const err = refusal(() => parseLabOptions(argv));
    t.match(err?.message, pattern, argv.join(' ').slice(0, 60));
    t.notMatch(err?.message ?? '', /\n/, 'one line');
  }
  t.match(
    refusal(() => parseCourierOptions(['--courier-latency-ms', '10-1']))?.message,
    /backwards/,
    'the courier alone refuses a backwards range too',
  );
});

t.test('good values go through typed', async (t) => {
  const o = parseLabOptions([
    'compare',
    '--speed=2.5',
    '--seed',
    '0',
    '--courier-latency-ms',
    ' 1000 - 10000 ',
    '--headless',
    '--mode',
    'queue',
  ]);
  t.equal(o.command, 'compare');
  t.equal(o.speed, 2.5);
  t.equal(o.seed, 0);
  t.equal(o.seedGiven, true);
  t.same(o.courier.latency, { minMs: 1000, maxMs: 10000 });
  t.equal(o.headless, true);
  t.equal(o.mode, 'queue');
  t.equal(o.host, '127.0.0.1', 'servers bind to loopback by default');
  t.equal(parseCourierOptions([]).host, '127.0.0.1', 'the courier alone too');
});

/**
 * Fault specs (issue 11, item 1): `--fault KIND=VALUE@START+DURATION`, repeatable, and `faults:` lists in
 * config and scenario files; every bad part is refused naming that part.
 */
import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../lab/config/config-error.js';
import { parseLabOptions } from '../lab/config/parse-options.js';
import { faultText, parseFaultText } from '../lab/faults/fault-spec.js';
import { resolveScenario } from '../lab/load/presets.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-faults-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '(accepted)';
}

t.test('every kind parses to its typed value', async (t) => {
  t.same(parseFaultText('courier-latency=5000-9000@600+120'), {
    kind: 'courier-latency',
    value: '5000-9000',
    parsed: { kind: 'courier-latency', minMs: 5000, maxMs: 9000 },
    startS: 600,
    durationS: 120,
  });
  t.same(parseFaultText('courier-outage@10+60').parsed, { kind: 'courier-outage' });
  t.equal(parseFaultText('courier-outage@10+60').value, '1', 'an outage without a value reads as 1');
  t.same(parseFaultText('courier-outage=1@0+0.5').durationS, 0.5);
  t.same(parseFaultText('courier-failure-rate=0.5@1+2').parsed, { kind: 'courier-failure-rate', rate: 0.5 });
  t.same(parseFaultText('courier-rate=2@1+2').parsed, { kind: 'courier-rate', rate: 2 });
  t.same(parseFaultText('load=3@1+2').parsed, { kind: 'load', factor: 3 });
  t.equal(faultText(parseFaultText('courier-outage@10+60')), 'courier-outage@10+60');
  t.equal(faultText(parseFaultText('load=3@1+2')), 'load=3@1+2');
});

t.test('bad specs name the part that is wrong', async (t) => {
  const cases: [string, string][] = [
    [
      'courier-latency=9000-5000@600+120',
      '--fault courier-latency=9000-5000@600+120: latency range 9000-5000 is backwards; allowed MIN-MAX with MIN <= MAX, whole milliseconds up to 3600000',
    ],
    [
      'courier-latncy=1-2@0+1',
      '--fault courier-latncy=1-2@0+1: unknown fault kind "courier-latncy"; allowed one of courier-outage, courier-latency, courier-failure-rate, courier-rate, load',
    ],
    [
      'courier-latency=5000-9000',
      '--fault courier-latency=5000-9000: not a fault; allowed KIND=VALUE@START+DURATION (seconds), e.g. courier-latency=5000-9000@600+120',
    ],
    [
      'courier-failure-rate=1.5@0+10',
      '--fault courier-failure-rate=1.5@0+10: failure rate "1.5"; allowed a number from 0 to 1',
    ],
    [
      'courier-rate=0@0+10',
      '--fault courier-rate=0@0+10: rate "0"; allowed a number of requests per second above 0, at most 100000',
    ],
    [
      'load=-1@0+10',
      `--fault load=-1@0+10: load factor "-1"; allowed a multiplier of the scenario's arrival rate, from 0 to 100`,
    ],
    [
      'load=2@soon+10',
      '--fault load=2@soon+10: start "soon" is not a time; allowed scenario seconds from 0 to 604800',
    ],
    [
      'load=2@5+0',
      '--fault load=2@5+0: duration "0" is not a time; allowed scenario seconds above 0, at most 604800',
    ],
    [
      'load@5+10',
      '--fault load@5+10: load needs a value; allowed KIND=VALUE@START+DURATION (seconds), e.g. courier-latency=5000-9000@600+120',
    ],
    [
      'courier-outage=2@5+10',
      '--fault courier-outage=2@5+10: outage value "2" means nothing; allowed 1 or nothing (courier-outage@START+DURATION)',
    ],
  ];
  for (const [text, message] of cases) {
    t.equal(
      refusal(() => parseLabOptions(['--fault', text])),
      message,
      text,
    );
  }
});

t.test('--fault is repeatable, in order; other options still refuse a second use', async (t) => {
  const o = parseLabOptions(['--fault', 'load=2@0+10', '--seed', '1', '--fault=courier-outage@5+5']);
  t.same(
    o.faults.map((f) => faultText(f)),
    ['load=2@0+10', 'courier-outage@5+5'],
  );
  t.same(parseLabOptions([]).faults, [], 'none by default');
  t.equal(
    refusal(() => parseLabOptions(['--seed', '1', '--seed', '2'])),
    'option --seed given twice',
  );
  t.equal(
    refusal(() => parseLabOptions(['--fault'])),
    'option --fault: no value given; allowed: KIND=VALUE@START+DURATION (seconds), e.g. courier-latency=5000-9000@600+120',
  );
});

t.test(
  'config files take faults: as a list of mappings or texts; the command line replaces it',
  async (t) => {
    const path = join(dir, 'faults.yaml');
    writeFileSync(
      path,
      'seed: 3\nfaults:\n  - {kind: courier-rate, value: 2, start: 60, duration: 30}\n  - courier-outage@100+10\n',
    );
    const o = parseLabOptions(['--config', path]);
    t.same(
      o.faults.map((f) => faultText(f)),
      ['courier-rate=2@60+30', 'courier-outage@100+10'],
    );
    t.same(
      parseLabOptions(['--config', path, '--fault', 'load=2@0+1']).faults.map((f) => faultText(f)),
      ['load=2@0+1'],
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'faults:\n  - {kind: courier-latency, value: 9-5, start: 60, duration: 30}\n');
    t.equal(
      refusal(() => parseLabOptions(['--config', bad])),
      `config file ${JSON.stringify(bad)}: faults[0] value: latency range 9-5 is backwards; allowed MIN-MAX with MIN <= MAX, whole milliseconds up to 3600000`,
    );
    writeFileSync(bad, 'faults:\n  - {kind: load, value: 2, start: 60, length: 30}\n');
    t.equal(
      refusal(() => parseLabOptions(['--config', bad])),
      `config file ${JSON.stringify(bad)}: faults[0]: unknown field "length"; allowed kind, value, start, duration`,
    );
  },
);

t.test('an Artillery scenario file may carry a top-level faults: list', async (t) => {
  const scenario = resolveScenario('test/fixtures/artillery-faults.yml');
  t.same(
    scenario.faults.map((f) => faultText(f)),
    ['courier-latency=5000-9000@120+60', 'courier-outage@300+30'],
  );
  const bad = join(dir, 'bad-artillery.yml');
  writeFileSync(bad, 'config:\n  phases:\n    - {duration: 10, arrivalRate: 1}\nfaults:\n  - load=x@0+1\n');
  t.equal(
    refusal(() => resolveScenario(bad)),
    `--scenario ${JSON.stringify(bad)}: faults[0] "load=x@0+1": load factor "x"; allowed a multiplier of the scenario's arrival rate, from 0 to 100`,
  );
});

t.test('the metastable preset brings its capacity model and client timeout; given options win', async (t) => {
  const o = parseLabOptions(['--scenario', 'metastable']);
  t.equal(o.courier.capacity, 8);
  t.equal(o.attemptTimeoutMs, 3000);
  const p = parseLabOptions([
    '--scenario',
    'metastable',
    '--courier-capacity',
    '3',
    '--attempt-timeout-ms',
    '500',
  ]);
  t.equal(p.courier.capacity, 3);
  t.equal(p.attemptTimeoutMs, 500);
  const off = parseLabOptions([]);
  t.equal(off.courier.capacity, undefined, 'off by default');
  t.equal(off.attemptTimeoutMs, undefined, 'off by default');
});

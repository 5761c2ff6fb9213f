/**
 * The sweep's grid (issue 11, item 4): axes over options, the load factor and a fault's parts; every bad
 * axis refused before anything runs, naming the `--vary` text and what is allowed.
 */
import t from 'tap';
import { ConfigError } from '../lab/config/config-error.js';
import { parseLabOptions } from '../lab/config/parse-options.js';
import { faultText } from '../lab/faults/fault-spec.js';
import { sweepGrid } from '../lab/sweep/sweep-command.js';

const sweep = (...args: string[]) =>
  parseLabOptions(['sweep', '--seed', '7', '--scenario', 'smoke', ...args]);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '(accepted)';
}

t.test('a numeric range by a categorical list: cells in row order, each with its options', async (t) => {
  const grid = sweepGrid(sweep('--vary', 'courier-rate=2:3:0.5', '--vary', 'mode=none,queue'));
  t.same(
    grid.axes.map((a) => ({ name: a.name, values: a.values })),
    [
      { name: 'courier-rate', values: [2, 2.5, 3] },
      { name: 'mode', values: ['none', 'queue'] },
    ],
  );
  t.same(
    grid.cells.map((c) => [c.index, c.at, c.options.courier.rate, c.options.mode, c.options.seed]),
    [
      [[0, 0], { 'courier-rate': 2, mode: 'none' }, 2, 'none', 7],
      [[0, 1], { 'courier-rate': 2, mode: 'queue' }, 2, 'queue', 7],
      [[1, 0], { 'courier-rate': 2.5, mode: 'none' }, 2.5, 'none', 7],
      [[1, 1], { 'courier-rate': 2.5, mode: 'queue' }, 2.5, 'queue', 7],
      [[2, 0], { 'courier-rate': 3, mode: 'none' }, 3, 'none', 7],
      [[2, 1], { 'courier-rate': 3, mode: 'queue' }, 3, 'queue', 7],
    ],
  );
  t.equal(grid.cells[0]!.options.command, 'run');
  t.not(grid.cells[0]!.options.courier, grid.cells[1]!.options.courier, 'cells share no mutable parts');
});

t.test('load, a fault duration, tenths without float dust, other options set where they live', async (t) => {
  const grid = sweepGrid(
    sweep(
      '--fault',
      'courier-outage@100+30',
      '--vary',
      'load=0.1:0.3:0.1',
      '--vary',
      'fault.1.duration=30,60',
    ),
  );
  t.same(grid.axes[0]!.values, [0.1, 0.2, 0.3]);
  t.same(
    grid.cells.map((c) => `${c.options.loadFactor} ${c.options.faults.map((f) => faultText(f)).join()}`),
    [
      '0.1 courier-outage@100+30',
      '0.1 courier-outage@100+60',
      '0.2 courier-outage@100+30',
      '0.2 courier-outage@100+60',
      '0.3 courier-outage@100+30',
      '0.3 courier-outage@100+60',
    ],
  );
  const one = (text: string) => sweepGrid(sweep('--vary', text)).cells[0]!.options;
  t.equal(one('courier-timeout-s=5').courier.timeoutS, 5);
  t.equal(one('courier-capacity=8').courier.capacity, 8);
  t.same(one('courier-latency-ms=1000-10000').courier.latency, { minMs: 1000, maxMs: 10000 });
  t.equal(one('drain=600').drainS, 600);
  t.equal(one('retry-policy=full-jitter').retryPolicy, 'full-jitter');
  t.equal(one('attempt-timeout-ms=3000').attemptTimeoutMs, 3000);
});

t.test('bad axes are refused naming the text', async (t) => {
  const cases: [string[], string][] = [
    [
      ['--vary', 'courier-rate=5:1:1'],
      '--vary courier-rate=5:1:1: range 5:1:1 is backwards; allowed FROM:TO:STEP with FROM <= TO',
    ],
    [
      ['--vary', 'courier-rate=1:5:0'],
      '--vary courier-rate=1:5:0: step 0 is not above 0; allowed FROM:TO:STEP with STEP > 0',
    ],
    [
      ['--vary', 'courier-rate=1:5'],
      '--vary courier-rate=1:5: range "1:5" is not FROM:TO:STEP; allowed three numbers',
    ],
    [['--vary', 'mode=1:2:1'], '--vary mode=1:2:1: mode is not numeric; allowed a list of values, A,B,C'],
    [
      ['--vary', 'mode=none,fast'],
      '--vary mode=none,fast: value fast: got "fast"; allowed: one of none, queue, throttle',
    ],
    [
      ['--vary', 'courier-rate=0:2:1'],
      '--vary courier-rate=0:2:1: value 0: got "0"; allowed: a number above 0 to 100000',
    ],
    [
      ['--vary', 'colour=red'],
      '--vary colour=red: "colour" cannot be varied; allowed an option name such as courier-rate or mode, load, or fault.N.value, fault.N.start, fault.N.duration',
    ],
    [
      ['--vary', 'port=1,2'],
      '--vary port=1,2: "port" cannot be varied; allowed an option name such as courier-rate or mode, load, or fault.N.value, fault.N.start, fault.N.duration',
    ],
    [['--vary', 'courier-rate'], '--vary courier-rate: no values; allowed NAME=FROM:TO:STEP or NAME=A,B,C'],
    [
      ['--vary', 'mode=none,,queue'],
      '--vary mode=none,,queue: an empty value in "none,,queue"; allowed FROM:TO:STEP or A,B,C',
    ],
    [['--vary', 'fault.1.duration=10,20'], '--vary fault.1.duration=10,20: no fault 1; the run has no fault'],
    [
      ['--fault', 'courier-latency=1000-2000@10+10', '--vary', 'fault.1.value=5000-9000,9000-5000'],
      '--vary fault.1.value=5000-9000,9000-5000: value 9000-5000: latency range 9000-5000 is backwards; allowed MIN-MAX with MIN <= MAX, whole milliseconds up to 3600000',
    ],
    [
      ['--fault', 'load=2@10+10', '--vary', 'fault.1.start=-5,5'],
      '--vary fault.1.start=-5,5: value -5: start "-5" is not a time; allowed scenario seconds from 0 to 604800',
    ],
    [
      ['--vary', 'mode=none', '--vary', 'mode=queue'],
      'option --vary: axis mode given twice; allowed two different axes',
    ],
    [
      ['--vary', 'mode=none', '--vary', 'seed=1,2', '--vary', 'load=1'],
      'option --vary: given 3 times; allowed once or twice (a sweep has one or two axes)',
    ],
    [
      ['--vary', 'seed=1:200:1', '--vary', 'load=0:100:1'],
      'option --vary: 20200 cells; allowed at most 10000',
    ],
    [
      ['--vary', 'function-timeout-s=100,200'],
      'sweep cell function-timeout-s=200: option --visibility-timeout-s: got 150, below --function-timeout-s 200; allowed: at least the function timeout (AWS refuses such an event source mapping)',
    ],
  ];
  for (const [args, message] of cases)
    t.equal(
      refusal(() => sweepGrid(sweep(...args))),
      message,
      args.join(' '),
    );
  t.equal(
    refusal(() => sweepGrid(sweep())),
    'option --vary: given 0 times; allowed once or twice (a sweep has one or two axes)',
  );
  t.equal(
    refusal(() => parseLabOptions(['--vary', 'mode=none'])),
    'option --vary: only the sweep command takes it; allowed: npm run lab -- sweep --vary ...',
  );
});

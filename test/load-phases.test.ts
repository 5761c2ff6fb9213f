import t from 'tap';
import { parseDurationText, scenarioSeconds, validatePhases } from '../lab/load/phases.js';
import { PRESETS, resolveScenario } from '../lab/load/presets.js';
import { messageOf } from './helpers/probes.js';

const SRC = '--scenario "load.yml"';
const SHAPE =
  'allowed: duration with arrivalRate (and optionally rampTo) or with arrivalCount, or pause alone';

t.test('durations: numbers, and strings with s, m, h', async (t) => {
  t.equal(parseDurationText('90'), 90);
  t.equal(parseDurationText('10s'), 10);
  t.equal(parseDurationText('2m'), 120);
  t.equal(parseDurationText('1.5h'), 5400);
  t.equal(parseDurationText(' 3 m '), 180);
  t.equal(parseDurationText('10ms'), undefined);
  t.equal(parseDurationText('-1s'), undefined);
  t.equal(parseDurationText('soon'), undefined);
  const phases = validatePhases(
    [
      { duration: '2m', arrivalRate: 1, name: 'a' },
      { pause: '10s' },
      { duration: 30, arrivalCount: 5, name: 7 },
    ],
    SRC,
  );
  t.same(phases, [
    { name: 'a', duration: 120, arrivalRate: 1 },
    { pause: 10 },
    { name: '7', duration: 30, arrivalCount: 5 },
  ]);
  t.equal(scenarioSeconds(phases), 160);
});

t.test(
  'bad phases are refused with the file, the phase, the field, the value and what is allowed',
  async (t) => {
    const DURATION =
      'allowed: a number of seconds above 0 (at most 604800), or a string such as "10s", "2m" or "1h"';
    const RATE = 'allowed: a number of arrivals per second from 0 to 10000';
    const cases: [unknown, string][] = [
      [{ duration: 0, arrivalRate: 1 }, `config.phases[0].duration: got 0; ${DURATION}`],
      [{ duration: -5, arrivalRate: 1 }, `config.phases[0].duration: got -5; ${DURATION}`],
      [{ duration: '5 minutes', arrivalRate: 1 }, `config.phases[0].duration: got "5 minutes"; ${DURATION}`],
      [{ duration: 1e9, arrivalRate: 1 }, `config.phases[0].duration: got 1000000000; ${DURATION}`],
      [{ duration: 10, arrivalRate: -1 }, `config.phases[0].arrivalRate: got -1; ${RATE}`],
      [{ duration: 10, arrivalRate: '5' }, `config.phases[0].arrivalRate: got "5"; ${RATE}`],
      [{ duration: 10, arrivalRate: 1, rampTo: 1e6 }, `config.phases[0].rampTo: got 1000000; ${RATE}`],
      [
        { duration: 10, arrivalCount: 2.5 },
        'config.phases[0].arrivalCount: got 2.5; allowed: a whole number from 0 to 10000000',
      ],
      [{ pause: 0 }, `config.phases[0].pause: got 0; ${DURATION}`],
      [{ arrivalRate: 5 }, `config.phases[0]: has arrivalRate but no duration; ${SHAPE}`],
      [{ arrivalCount: 5 }, `config.phases[0]: has arrivalCount but no duration; ${SHAPE}`],
      [{ duration: 10 }, `config.phases[0]: has neither arrivalRate, arrivalCount nor pause; ${SHAPE}`],
      [
        { duration: 10, arivalRate: 5 },
        `config.phases[0]: has neither arrivalRate, arrivalCount nor pause (unknown fields: arivalRate); ${SHAPE}`,
      ],
      [
        { duration: 10, rampTo: 5 },
        `config.phases[0]: has rampTo but no arrivalRate, the rate it ramps from; ${SHAPE}`,
      ],
      [
        { duration: 10, arrivalRate: 1, arrivalCount: 5 },
        `config.phases[0]: has both arrivalRate and arrivalCount; ${SHAPE}`,
      ],
      [
        { duration: 10, arrivalCount: 5, rampTo: 2 },
        `config.phases[0]: rampTo cannot be combined with arrivalCount; ${SHAPE}`,
      ],
      [{ pause: 5, duration: 10 }, `config.phases[0]: pause cannot be combined with duration; ${SHAPE}`],
      [{ duration: 10, arrivalRate: 1, name: ['x'] }, 'config.phases[0].name: got ["x"]; allowed: a string'],
      [5, 'config.phases[0]: got 5; allowed: a mapping such as {duration: 60, arrivalRate: 2}'],
    ];
    for (const [phase, expected] of cases) {
      t.equal(
        messageOf(() => validatePhases([phase], SRC)),
        `${SRC}: ${expected}`,
        JSON.stringify(phase),
      );
    }
    t.equal(
      messageOf(() =>
        validatePhases(
          [{ duration: 1, arrivalRate: 1 }, { duration: 1, arrivalRate: 1 }, { pause: -1 }],
          SRC,
        ),
      ),
      `${SRC}: config.phases[2].pause: got -1; ${DURATION}`,
      'the index names the phase at fault',
    );
    t.equal(
      messageOf(() => validatePhases([], SRC)),
      `${SRC}: config.phases is empty; allowed: at least one phase`,
    );
    t.equal(
      messageOf(() => validatePhases({ duration: 1 }, SRC)),
      `${SRC}: config.phases: got {"duration":1}; allowed: a list of phases`,
    );
  },
);

t.test('presets', async (t) => {
  const article = resolveScenario('seed-article');
  t.same(article, {
    name: 'seed-article',
    phases: PRESETS['seed-article'],
    external: false,
    source: 'preset',
    faults: [],
  });
  t.equal(scenarioSeconds(article.phases), 1080, 'seed-article lasts 18 minutes');
  t.equal(scenarioSeconds(resolveScenario('seed-repo').phases), 1080, 'seed-repo lasts 18 minutes');
  t.equal(scenarioSeconds(resolveScenario('smoke').phases), 40);
  t.same(resolveScenario('external'), {
    name: 'external',
    phases: [],
    external: true,
    source: 'preset',
    faults: [],
  });
  const metastable = resolveScenario('metastable');
  t.equal(scenarioSeconds(metastable.phases), 480, 'metastable: 8 minutes of steady load');
  t.same(
    metastable.faults.map((f) => [f.kind, f.value, f.startS, f.durationS]),
    [['courier-latency', '5000-9000', 120, 30]],
    'with its trigger',
  );
  for (const name of ['seed-article', 'seed-repo', 'smoke']) {
    t.same(validatePhases(PRESETS[name], name), PRESETS[name], `${name} passes its own validation`);
  }
  resolveScenario('smoke').phases[0]!.duration = 1;
  t.equal(PRESETS.smoke![0]!.duration, 20, 'a resolved scenario is a copy; the preset stays as written');
  t.equal(
    messageOf(() => resolveScenario('toString')).startsWith('--scenario "toString": not a preset'),
    true,
  );
  t.equal(
    messageOf(() => resolveScenario(' ')),
    'option --scenario: got " "; allowed: a preset (seed-article, seed-repo, smoke, metastable, external) or an Artillery YAML file',
  );
});

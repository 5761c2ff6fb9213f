import t from 'tap';
import { runNode } from './helpers/run-cli.js';

interface Growth {
  before: number;
  after: number;
}

/**
 * A child process that runs `setup`, then allocates objects which outlive several scavenges (what makes V8
 * grow its young generation), and prints the new space's size before and after, in MiB.
 */
async function newSpaceGrowth(setup: string): Promise<Growth> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    import { keepYoungGenerationSmall } from './lab/engines/threads/young-generation.ts';
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
    const startThread = async () => {
      // Running: it has answered, and lives on while the parent allocates.
      const code = "import('node:worker_threads').then((w) => w.parentPort.postMessage('up')); setInterval(() => {}, 1000);";
      const worker = new Worker(code, { eval: true });
      await new Promise((resolve) => worker.once('message', resolve));
      worker.unref();
    };
    const before = size();
    ${setup}
    let kept = [];
    for (let i = 0; i < 1_500_000; i++) {
      kept.push({ i, list: [i] });
      if (kept.length > 200_000) kept = kept.slice(100_000);
    }
    console.log(JSON.stringify({ before, after: size() }));
  `;
  const out = await runNode(['--import=tsx', '--input-type=module', '-e', script]);
  if (out.code !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout) as Growth;
}

t.test('the threads engine keeps the young generation from growing', async (t) => {
  const [grown, kept, reset, again] = await Promise.all([
    newSpaceGrowth(''),
    newSpaceGrowth('keepYoungGenerationSmall();'),
    newSpaceGrowth('keepYoungGenerationSmall(); await startThread();'),
    newSpaceGrowth('keepYoungGenerationSmall(); await startThread(); keepYoungGenerationSmall();'),
  ]);
  t.ok(grown.after >= 4 * grown.before, `V8 grows it by itself: ${grown.before} -> ${grown.after} MiB`);
  t.ok(kept.after <= kept.before, `kept: ${kept.before} -> ${kept.after} MiB`);
  t.ok(
    reset.after >= 4 * reset.before,
    `a thread that starts resets V8's flags (why the hold applies it again): ${reset.before} -> ${reset.after} MiB`,
  );
  t.ok(
    again.after <= again.before,
    `applied again after the thread started: ${again.before} -> ${again.after} MiB`,
  );
});

/**
 * Faults reach the courier's own thread as messages (issue 11, item 5): an outage refuses connections until
 * it is reverted, a restarted thread starts with the faults in force, and a failure-rate change applies.
 */
import t from 'tap';
import { once } from 'node:events';
import { request } from 'undici';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { CourierThread, type CourierUpEvent } from '../lab/courier/courier-thread.js';
import { wallNowMs } from '../lab/time/clock.js';

const KEY = 'thread-key';

async function hit(url: string): Promise<string> {
  try {
    const res = await request(`${url}/slow`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: '{}',
      reset: true,
    });
    await res.body.dump();
    return String(res.statusCode);
  } catch (err) {
    return `refused (${(err as { code?: string }).code ?? 'error'})`;
  }
}

t.test('outage, restart with it in force, failure rate, back to the configured courier', async (t) => {
  const thread = new CourierThread({
    options: {
      ...labOptionsWith().courier,
      apiKey: KEY,
      failureRate: 0,
      latency: { minMs: 0, maxMs: 0 },
      burst: 1000,
    },
    speed: 10,
    originWallMs: wallNowMs(),
    seed: 3,
  });
  t.teardown(() => thread.stop());
  const url = await thread.start();
  t.equal(await hit(url), '200');
  await thread.applyFault({ method: 'setCourierUp', value: false });
  t.match(await hit(url), /^refused/);
  const up = once(thread, 'up') as Promise<[CourierUpEvent]>;
  await thread.kill();
  const [{ url: again }] = await up;
  t.match(await hit(again), /^refused/, 'the restarted thread is still in the outage');
  await thread.applyFault({ method: 'setCourierUp', value: true });
  await thread.applyFault({ method: 'setCourierFailureRate', value: 1 });
  t.equal(await hit(again), '502', 'every admitted request fails');
  await thread.applyFault({ method: 'setCourierFailureRate', value: undefined });
  t.equal(await hit(again), '200', 'back to the configured failure rate');
});

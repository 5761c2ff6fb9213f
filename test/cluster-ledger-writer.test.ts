import t from 'tap';
import type { ClusterLedger } from '../lab/cluster/cluster-ledger.js';
import { LedgerWriter } from '../lab/cluster/ledger-writer.js';

/** A ledger that is up or down, as Redis would be, and records the writes that reached it in order. */
function fakeLedger() {
  const state = { up: true, applied: [] as string[] };
  const write = (what: string): Promise<boolean> => {
    if (!state.up) return Promise.reject(new Error('Redis away'));
    state.applied.push(what);
    return Promise.resolve(true);
  };
  const ledger = {
    accept: (id: string) => write(`accept ${id}`),
    settle: (id: string, outcome: string) => write(`${outcome} ${id}`),
  } as unknown as ClusterLedger;
  return { state, ledger };
}

t.test('writes failed while Redis is away are counted, held in order and replayed', async (t) => {
  const { state, ledger } = fakeLedger();
  const failures: string[] = [];
  const writer = new LedgerWriter(ledger, (kind) => failures.push(kind));
  writer.write({ kind: 'accept', id: 'a' });
  await Promise.resolve();
  state.up = false;
  writer.write({ kind: 'accept', id: 'b' });
  writer.write({ kind: 'settle', id: 'a', outcome: 'delivered', now: 1 });
  // Let both rejections land.
  await new Promise((r) => setImmediate(r));
  t.same(failures, ['ledger-accept', 'ledger-settle']);
  t.equal(writer.pending, 2);
  // Behind a held write, a new one waits its turn even if Redis could take it.
  writer.write({ kind: 'settle', id: 'b', outcome: 'lost', now: 2 });
  t.equal(writer.pending, 3);
  await writer.replay();
  t.equal(writer.pending, 3, 'still away: nothing replayed, nothing dropped');
  state.up = true;
  await writer.replay();
  t.same(state.applied, ['accept a', 'accept b', 'delivered a', 'lost b'], "each order's story in order");
  t.same(writer.failed, { 'ledger-accept': 1, 'ledger-settle': 1 });
  t.equal(writer.replayed, 3);
  t.equal(writer.pending, 0);
});

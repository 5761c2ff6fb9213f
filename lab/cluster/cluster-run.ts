import { ConfigError } from '../config/config-error.js';
import type { LabOptions } from '../config/parse-options.js';
import type { BusEvent } from '../pipeline/event-bus.js';
import { correlationIdOf } from '../pipeline/event-bus.js';
import type { SharedParts } from '../pipeline/shared-parts.js';
import { createRun, type RunSetup } from '../run/create-run.js';
import type { LabRun } from '../run/lab-run.js';
import type { ClusterOrderTotals } from './cluster-ledger.js';
import { ClusterNode, type JoinOptions } from './cluster-node.js';
import type { ClusterQueue } from './cluster-queue.js';
import type { ControlChange, ControlMessage } from './control-channel.js';
import { LedgerWriter } from './ledger-writer.js';

/** Real ms between reads of the cluster's totals (drain's "still busy" and the progress line). */
const REFRESH_MS = 100;

interface Queued {
  event: BusEvent;
  mode: 'queue' | 'throttle';
}

/**
 * A run that is one node of a cluster (threads engine): joins first (a refusal is a ConfigError, exit 2,
 * before anything starts), then builds the run with the cluster's shared concurrency, queue, throttle and
 * ledger, and keeps its mode, load, queue concurrency and throttle rate in step with the other nodes.
 */
export class ClusterRun {
  /** The cluster's totals as last read (every REFRESH_MS real ms). */
  totals: ClusterOrderTotals | undefined;
  queueCounts = { visible: 0, inFlight: 0, delayed: 0, deadLettered: 0 };
  /** Reads that found messages waiting: the queue's active jobs and this node's deliveries, summed. */
  private readonly whileWaiting = { reads: 0, activeSum: 0, deliveringHereSum: 0 };
  /** Reads of the cluster's totals that could not reach Redis (the last good read stands meanwhile). */
  readFailures = 0;
  /** Changes received from other nodes, applied here. */
  applied = 0;
  /** Live nodes whose load was still running at the last read. */
  loadsRunning = 0;
  /** Nodes this node found gone (lease expired) and cleared up after. */
  readonly nodesGone: string[] = [];
  /** Times this node's connection to Redis was down, in scenario seconds (endS unset: still down). */
  readonly redisOutages: { startS: number; endS?: number }[] = [];
  /**
   * Times Redis came back without the cluster's state (no persistence): the shared ledger and queue started
   * again from nothing, and the orders this node had in flight then had their messages and entries wiped.
   */
  readonly stateLost: { atS: number; ordersInFlightHere: number }[] = [];
  private lastRefreshStart = 0;
  private loadEndedAt = Number.POSITIVE_INFINITY;
  private refresher: NodeJS.Timeout | undefined;
  private applyingRemote = false;
  private refreshing = false;

  private constructor(
    readonly node: ClusterNode,
    readonly run: LabRun,
    private readonly queue: ClusterQueue<Queued>,
    private readonly ledger: LedgerWriter,
  ) {}

  static async start(options: LabOptions, setup: RunSetup = {}, join: JoinOptions = {}): Promise<ClusterRun> {
    if (options.engine !== 'threads' || options.command !== 'run') {
      throw new ConfigError(
        `option --cluster: got it with ${options.command === 'run' ? `--engine ${options.engine}` : options.command}; allowed: a run on the threads engine (a cluster shares real time)`,
      );
    }
    const node = await ClusterNode.join(options, join);
    try {
      if (!options.courierUrl) await node.claimCourier();
      // Filled in below: the queue's consumer and the drain check need the run, which needs them first.
      const ref: { run?: LabRun; self?: ClusterRun } = {};
      const queue = node.sharedQueue<Queued>({
        handler: async (message) => {
          const run = ref.run;
          if (!run) return 'retry';
          const result = await run.pipeline.deliverFromQueue(
            message.body.event,
            message.body.mode === 'throttle',
          );
          return result === 'ok' ? 'done' : 'retry';
        },
        onDeadLetter: (m) =>
          ref.run?.pipeline.orders.settle(correlationIdOf(m.body.event), 'deadLettered', ref.run.clock.now()),
        onExpired: (m) =>
          ref.run?.pipeline.orders.settle(correlationIdOf(m.body.event), 'lost', ref.run.clock.now()),
      });
      // Orders this node accepted: a settle of any other (a message another node queued) is the shared
      // ledger's alone, so this node's book counts neither a settle nor a duplicate for it.
      const acceptedHere = new Set<string>();
      const ledger = new LedgerWriter(node.ledger, (kind) => node.lost(kind));
      const parts: SharedParts = {
        concurrency: {
          // An acquire that cannot reach Redis is a throttle (the limit cannot be checked), counted apart.
          tryAcquire: (fn) =>
            node.concurrency.tryAcquire(fn).catch(() => {
              node.lost('concurrency-acquire');
              return false;
            }),
          release: (fn) => node.concurrency.release(fn).catch(() => node.lost('concurrency-release')),
        },
        queue: {
          send: (event, mode) => {
            const id = correlationIdOf(event);
            queue.send(id, { event, mode: mode === 'throttle' ? 'throttle' : 'queue' }).catch(() => {
              // Never queued, so never delivered: lost, and counted by cause.
              node.lost('queue-send');
              ref.run?.pipeline.orders.settle(id, 'lost', ref.run.clock.now());
            });
          },
        },
        onOrder: (e) => {
          ledger.write(e);
          if (e.kind === 'accept') acceptedHere.add(e.id);
          else if (!acceptedHere.has(e.id)) return false;
        },
        busy: () => ref.self?.busy ?? true,
      };
      const throttle = node.sharedThrottle();
      await Promise.all([queue.ready(), throttle.ready()]);
      const run = createRun(options, {
        ...setup,
        shared: { parts, throttle, reportExtras: () => ref.self!.reportFields() },
      });
      ref.run = run;
      const self = new ClusterRun(node, run, queue, ledger);
      ref.self = self;
      await self.listen();
      return self;
    } catch (err) {
      await node.leave();
      throw err;
    }
  }

  /**
   * True while the cluster has work: a node's load still running, orders in flight, or messages queued, as
   * read by a refresh that began after this node's load ended (an older read could predate the last orders).
   */
  get busy(): boolean {
    if (!this.totals || this.loadsRunning > 0 || this.lastRefreshStart <= this.loadEndedAt) return true;
    if (this.ledger.pending > 0) return true;
    const q = this.queueCounts;
    return this.totals.inFlight > 0 || q.visible + q.inFlight + q.delayed > 0;
  }

  /**
   * Once the run has started: publishes where this node's built-in courier (the cluster's) listens, and
   * returns one line for the operator: how this node joined, the courier, what of the local semantics a
   * cluster lacks.
   */
  async started(): Promise<string> {
    const courier = this.run.engine.courierHttpUrl;
    if (courier) await this.node.announceCourier(courier).catch(() => this.node.lost('courier-url'));
    const line = this.joinLine();
    return courier
      ? `${line}\nstormlab: cluster: this node runs the cluster's courier: start the others with --courier-url ${courier}`
      : line;
  }

  private joinLine(): string {
    const m = this.node.membership;
    const how =
      m.joined === 'new'
        ? 'started a new cluster run'
        : m.joined === 'resumed'
          ? 'resumed a cluster run whose nodes had all died'
          : `joined ${m.othersAtJoin} live node${m.othersAtJoin === 1 ? '' : 's'}`;
    const esm = this.run.options.esmScaling
      ? `; the shared queue has no event source mapping ramp (--esm-scaling): MaximumConcurrency ${this.run.options.queueConcurrency} holds from the start`
      : '';
    return `stormlab: cluster: node ${this.node.name} ${how} at ${this.node.cluster.redis.url}${esm}`;
  }

  /**
   * A change made on this node (the dashboard's keys): applied here at once, then published to the others. A
   * mode change goes through the run instead (its `mode` event publishes it).
   */
  async change(change: ControlChange): Promise<void> {
    this.apply({ change, from: this.node.name, seq: 0, publishedAtMs: 0 }, true);
    await this.publish(change).catch(() => this.node.lost('control'));
  }

  /** Publishes a change made on this node (a key in the dashboard) to every node, this one included. */
  async publish(change: ControlChange): Promise<void> {
    await this.node.control.publish(change);
  }

  private async listen(): Promise<void> {
    const { control, membership } = this.node;
    control.on('change', (m) => this.apply(m));
    // Start from the cluster's current controls (a node that joins mid-run).
    for (const m of await control.start()) this.apply(m, true);
    this.run.on('mode', (change) => {
      membership.updateSetting('mode', change.mode);
      if (!this.applyingRemote)
        void control.publish({ kind: 'mode', value: change.mode }).catch(() => this.node.lost('control'));
    });
    const { redis, keys, name } = this.node;
    const nowS = (): number => Math.round(this.run.clock.now()) / 1000;
    redis.on('close', () => {
      if (this.redisOutages.at(-1)?.endS === undefined && this.redisOutages.length > 0) return;
      this.redisOutages.push({ startS: nowS() });
    });
    redis.on('ready', () => {
      const down = this.redisOutages.at(-1);
      if (down && down.endS === undefined) down.endS = nowS();
      void this.ledger.replay();
    });
    membership.on('rejoined', (emptied) => {
      if (emptied)
        this.stateLost.push({ atS: nowS(), ordersInFlightHere: this.run.pipeline.orders.inFlight });
    });
    if (this.run.load) {
      await redis.sadd(keys.loadsRunning, name);
      void this.run.load.done.then(async () => {
        await redis.srem(keys.loadsRunning, name).catch(() => this.node.lost('load-done'));
        this.loadEndedAt = performance.now();
      });
    } else {
      this.loadEndedAt = 0;
    }
    this.refresher = setInterval(() => void this.refresh(), REFRESH_MS);
    this.refresher.unref();
    await this.refresh();
  }

  private apply(message: ControlMessage, initial = false): void {
    if (message.from === this.node.name && !initial) return;
    const { change } = message;
    this.applyingRemote = true;
    try {
      this.applied++;
      switch (change.kind) {
        case 'mode':
          this.run.setMode(change.value);
          break;
        case 'load':
          // The cluster's factor, on top of this node's share (--load-factor).
          this.run.load?.setFactor(change.value * this.run.options.loadFactor);
          break;
        case 'paused':
          this.run.load?.setPaused(change.value);
          break;
        case 'queue-concurrency':
          // The local poller's figure too: snapshots and the dashboard show it.
          this.run.pipeline.setQueueConcurrency(change.value);
          void this.queue.setMaxConcurrency(change.value).catch(() => this.node.lost('control'));
          break;
        case 'throttle-rate':
          this.run.setThrottleRate(change.value);
          void this.node
            .sharedThrottle()
            .setRate(change.value)
            .catch(() => this.node.lost('control'));
          break;
      }
    } finally {
      this.applyingRemote = false;
    }
  }

  private async refresh(crossCheck = false): Promise<void> {
    // One at a time: while Redis is away a read waits, and the timer must not pile more behind it.
    if (this.refreshing && !crossCheck) return;
    this.refreshing = true;
    const started = performance.now();
    try {
      if (this.ledger.pending > 0) await this.ledger.replay();
      // Reaped first: a dead node's load no longer counts as running, and its lost orders are in the totals.
      const reaped = await this.node.reaper.reap();
      this.loadsRunning = reaped.loadsRunning;
      for (const name of reaped.gone) this.nodesGone.push(name);
      [this.totals, this.queueCounts] = await Promise.all([
        this.node.ledger.totals(crossCheck),
        this.queue.counts(),
      ]);
      if (this.queueCounts.visible > 0) {
        // Messages wait, so MaximumConcurrency should be in use: how much of it is, cluster-wide and here.
        const b = this.whileWaiting;
        b.reads++;
        b.activeSum += this.queueCounts.inFlight;
        b.deliveringHereSum += this.run.pipeline.concurrency.of('delivery');
      }
      this.lastRefreshStart = started;
    } catch {
      // A read, not work: counted apart from `unsynced`.
      this.readFailures++;
    } finally {
      this.refreshing = false;
    }
  }

  /** The report's `cluster` field: this node, the cluster's orders and peak, and what could not be shared. */
  async reportFields(): Promise<Record<string, unknown>> {
    // The courier's own record of its 200s (built-in courier), added to the cluster's: the independent
    // check that every order the ledger calls delivered had one. An outside courier keeps no such record.
    const ids = this.run.engine.deliveredIds();
    if (ids && ids.size > 0) {
      await this.node.redis
        .sadd(this.node.keys.courierDelivered, ...ids)
        .catch(() => this.node.lost('courier-ids'));
    }
    await this.refresh(true);
    const concurrency = await this.node.concurrency.cluster().catch(() => undefined);
    // With an outside courier no node has the courier's record: the check has nothing to compare with.
    const orders =
      this.totals && !ids
        ? { ...this.totals, courierDeliveredIds: null, deliveredWithoutCourier: null }
        : this.totals;
    return {
      cluster: {
        node: this.node.name,
        redis: this.node.cluster.redis.url,
        joined: this.node.membership.joined,
        orders,
        queue: this.queueCounts,
        whileMessagesWaited: {
          reads: this.whileWaiting.reads,
          meanActive: mean(this.whileWaiting.activeSum, this.whileWaiting.reads),
          meanDeliveringHere: mean(this.whileWaiting.deliveringHereSum, this.whileWaiting.reads),
        },
        peakConcurrency: concurrency?.peak,
        concurrencyReclaimed: concurrency?.reclaimed,
        controlsApplied: this.applied,
        unsynced: this.node.unsynced,
        readFailures: this.readFailures,
        ledgerWrites: { replayed: this.ledger.replayed, pending: this.ledger.pending },
        nodesGone: this.nodesGone,
        redisOutages: this.redisOutages,
        stateLost: this.stateLost,
        rejoins: this.node.membership.rejoins,
        heartbeatFailures: this.node.membership.heartbeatFailures,
      },
    };
  }

  async leave(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    // A run stopped before its load ended (a signal) must not hold the others' drain.
    await this.node.redis.srem(this.node.keys.loadsRunning, this.node.name).catch(() => undefined);
    await this.node.leave();
  }
}

function mean(sum: number, n: number): number | null {
  return n === 0 ? null : Math.round((sum / n) * 100) / 100;
}

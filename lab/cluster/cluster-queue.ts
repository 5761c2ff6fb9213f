import { Queue, Worker, type Job } from 'bullmq';
import { QUEUE_NAME } from './cluster-keys.js';
import { ioredisOptions, type RedisAddress } from './redis-url.js';

/**
 * The queue of queue and throttle modes, shared by a cluster, on BullMQ. How SQS and its Lambda event-source
 * mapping map onto BullMQ (times are scenario seconds, divided by --speed into BullMQ's real ms):
 *
 * - MaximumConcurrency -> the queue's global concurrency (`setGlobalConcurrency`): at most that many jobs are
 *   active across every node's worker; each worker's local concurrency is set to the same number, so one
 *   node alone can use the whole cap. BullMQ checks the cap in the Lua that moves a job to active: exact.
 * - Receive -> a worker moving a job to active. receiveCount -> `job.attemptsStarted`, which counts every
 *   start, stalled ones included, as SQS counts every receive.
 * - Visibility timeout after a failed or throttled invocation -> a retry delayed to `processedOn + VT` (a
 *   custom backoff), so the message reappears VT after it was received, as in SQS.
 * - Visibility timeout of a node that died mid-invocation -> the job's lock (`lockDuration` = VT): the lock
 *   lapses, the stalled check (every `stalledInterval`) finds it and moves the job back to wait, and another
 *   node's worker receives it. `maxStalledCount` is unbounded: stalls are receives, bounded by the next rule.
 * - maxReceiveCount -> `maxStartedAttempts`: a job started more times than that fails without running, on
 *   the receive after the last allowed one, as SQS redrives on that receive. DLQ -> BullMQ's failed set
 *   (`removeOnFail: false`), whose jobs are the dead letters.
 * - Retention -> checked when a job is received: a job older than retention is dropped (`onExpired`).
 *
 * Where BullMQ differs from SQS:
 * - Order: BullMQ hands out jobs in FIFO order; standard SQS is best-effort order. The lab's local queue is
 *   FIFO too, so figures compare.
 * - A dead node's job comes back between VT and VT + 2 x stalledInterval after its last lock renewal, not
 *   exactly VT after the receive: the stalled check marks a job in one pass and moves it in the next.
 * - A live invocation renews its lock, so it never reappears while running; in SQS an invocation longer
 *   than VT would let the message be received twice. The lab requires VT >= the function timeout, as AWS
 *   does, so this does not arise.
 * - Retention is enforced on receive only: an expired message behind a full cap waits for a free slot.
 * - Delays run on real time (Redis' and the workers' clocks), scaled by speed; the local queue's run on the
 *   scenario clock and can be tested on a virtual clock. The semantics tests use the local queue.
 */
export interface QueueMessage<T> {
  id: string;
  body: T;
  /** SQS's ApproximateReceiveCount: 1 on the first receive. */
  receiveCount: number;
  /** Real ms (Date.now) when sent. */
  sentAtMs: number;
}

/** What the handler says of a received message: done (deleted) or not (it reappears after VT). */
export type HandleResult = 'done' | 'retry';

export interface ClusterQueueOptions<T> {
  redis: RedisAddress;
  /** BullMQ's key prefix: every node of a cluster names the same one. */
  prefix: string;
  name?: string;
  speed: number;
  maxConcurrency: number;
  visibilityTimeoutS: number;
  maxReceiveCount: number | undefined;
  retentionS: number;
  /** Runs one received message (one invocation of the delivery function). */
  handler: (message: QueueMessage<T>) => Promise<HandleResult>;
  /** A message moved to the DLQ (failed set) after maxReceiveCount receives. */
  onDeadLetter?: (message: QueueMessage<T>) => void;
  /** A message past retention, dropped on receive. */
  onExpired?: (message: QueueMessage<T>) => void;
  /** When false, this node only sends (no worker). @default true */
  consume?: boolean;
}

const NOT_DONE = 'stormlab:retry-after-visibility-timeout';
/** Bounds a job's retries only by maxReceiveCount (maxStartedAttempts), as SQS without redrive. */
const UNBOUNDED = 2 ** 31 - 1;

function messageOf<T>(job: Job<T>): QueueMessage<T> {
  return { id: job.id!, body: job.data, receiveCount: job.attemptsStarted, sentAtMs: job.timestamp };
}

export class ClusterQueue<T> {
  sent = 0;
  received = 0;
  deadLettered = 0;
  expired = 0;
  // Untyped: BullMQ infers job names from the data type, which a generic T leaves unresolved.
  private readonly queue: Queue;
  private readonly worker: Worker<T> | undefined;
  private readonly visibilityMs: number;
  private readonly retentionMs: number;

  constructor(private readonly options: ClusterQueueOptions<T>) {
    const connection = { ...ioredisOptions(options.redis), maxRetriesPerRequest: null };
    const name = options.name ?? QUEUE_NAME;
    this.visibilityMs = (options.visibilityTimeoutS * 1000) / options.speed;
    this.retentionMs = (options.retentionS * 1000) / options.speed;
    this.queue = new Queue(name, { connection, prefix: options.prefix });
    if (options.consume === false) return;
    const lockDuration = Math.max(50, Math.round(this.visibilityMs));
    this.worker = new Worker<T>(name, (job) => this.process(job), {
      connection,
      prefix: options.prefix,
      concurrency: options.maxConcurrency,
      lockDuration,
      stalledInterval: Math.max(50, Math.round(lockDuration / 2)),
      maxStalledCount: UNBOUNDED,
      ...(options.maxReceiveCount === undefined ? {} : { maxStartedAttempts: options.maxReceiveCount }),
      // Real seconds a worker long-polls an empty queue; short, so a node that just joined starts at once.
      drainDelay: 1,
      settings: {
        backoffStrategy: (_attempts, _type, _err, job) =>
          Math.max(0, (job?.processedOn ?? Date.now()) + this.visibilityMs - Date.now()),
      },
    });
    this.worker.on('failed', (job, err) => {
      if (!job || err.message === NOT_DONE) return;
      // Failed for good: started more than maxReceiveCount times, so it sits in the failed set (the DLQ).
      this.deadLettered++;
      this.options.onDeadLetter?.(messageOf(job));
    });
    this.worker.on('error', () => {});
  }

  /** Sets the cap for the whole cluster (stored in Redis) and this node's local concurrency. */
  async setMaxConcurrency(n: number): Promise<void> {
    await this.queue.setGlobalConcurrency(n);
    if (this.worker) this.worker.concurrency = n;
  }

  async ready(): Promise<void> {
    await this.setMaxConcurrency(this.options.maxConcurrency);
    await this.queue.waitUntilReady();
    await this.worker?.waitUntilReady();
  }

  /** Sends a message; its id (the order's correlation id) is also the job id, so a resend is a no-op. */
  async send(id: string, body: T): Promise<void> {
    await this.queue.add('message', body, {
      jobId: id,
      attempts: UNBOUNDED,
      backoff: { type: 'visibility-timeout' },
      removeOnComplete: true,
      removeOnFail: false,
    });
    this.sent++;
  }

  private async process(job: Job<T>): Promise<void> {
    this.received++;
    const message = messageOf(job);
    if (Date.now() - job.timestamp > this.retentionMs) {
      this.expired++;
      this.options.onExpired?.(message);
      return;
    }
    const result = await this.options.handler(message);
    if (result === 'retry') throw new Error(NOT_DONE);
  }

  /** The cluster's queue: visible (waiting), in flight (active), waiting out VT (delayed), dead letters. */
  async counts(): Promise<{ visible: number; inFlight: number; delayed: number; deadLettered: number }> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    return {
      visible: (c.waiting ?? 0) + (c.prioritized ?? 0),
      inFlight: c.active ?? 0,
      delayed: c.delayed ?? 0,
      deadLettered: c.failed ?? 0,
    };
  }

  /** Stops every node's workers from receiving (cluster-wide), until `resume`. */
  async pause(): Promise<void> {
    await this.queue.pause();
  }

  async resume(): Promise<void> {
    await this.queue.resume();
  }

  /** Stops receiving, lets this node's invocations finish, and closes the connections. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

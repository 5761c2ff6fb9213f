/**
 * The courier's worker thread: builds its own RealClock (same origin as the main thread, so scenario time
 * agrees), a SeededRandom and a LogWriter appending to the run's log file, then serves the courier until
 * told to stop. Started by lab/courier/courier-thread.ts; the default export is also called directly by
 * tests with a MessageChannel port.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { CourierOptions } from '../lab/config/parse-options.js';
import { startCourierServer } from '../lab/courier/courier-server.js';
import { CourierStats } from '../lab/courier/courier-stats.js';
import { LogWriter } from '../lab/logs/log-writer.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { ClockOrigin, RealClock } from '../lab/time/clock.js';
import { deriveSeed, SeededRandom } from '../lab/time/random.js';

export interface CourierWorkerData {
  /** Marks a thread started for the courier (the module runs itself only then). */
  courierWorker: true;
  options: CourierOptions;
  speed: number;
  /** Wall ms (wallNowMs) at scenario time 0, the main thread's clock origin. */
  originWallMs: number;
  /** ClockOrigin's buffer, when the lab shares its scenario time 0 (wins over originWallMs). */
  origin?: SharedArrayBuffer | undefined;
  /** Wall ms the run started at, for log timestamps. */
  startedAtMs: number;
  seed: number;
  /** 0 for the first thread, then one more per restart: each restart draws a fresh random stream. */
  generation: number;
  host: string;
  port: number;
  logFile?: string;
  /** CourierStats buffer, owned by the main side. */
  stats: SharedArrayBuffer;
  /** Also send each `slow-api` line to the main thread (a dashboard's log pane and order stories). */
  forwardLogs?: boolean;
}

export type CourierWorkerReply =
  | { type: 'listening'; port: number; url: string }
  | { type: 'listen-error'; code: string; message: string }
  | { type: 'stopped' }
  /** Correlation ids answered 200 since the last such message (the courier-side delivered check). */
  | { type: 'delivered'; ids: string[] }
  /** `slow-api` lines since the last such message, newline-separated JSON text. */
  | { type: 'logs'; text: string };

export type CourierWorkerCommand = { type: 'stop' };

type Port = Pick<MessagePort, 'postMessage' | 'on' | 'off'>;

/** Serves the courier; resolves once stopped by a `stop` command (or when it could not listen). */
export default async function runCourierWorker(data: CourierWorkerData, port: Port): Promise<void> {
  const fileWriter = data.logFile ? new LogWriter({ file: data.logFile }) : undefined;
  const forward = data.forwardLogs ? new LineForwarder(port, fileWriter) : undefined;
  const logWriter = forward ?? fileWriter;
  const random = new SeededRandom(data.generation === 0 ? data.seed : deriveSeed(data.seed, data.generation));
  let server;
  try {
    server = await startCourierServer({
      options: data.options,
      clock: new RealClock({
        speed: data.speed,
        originWallMs: data.originWallMs,
        origin: data.origin ? new ClockOrigin(data.origin) : undefined,
      }),
      random,
      host: data.host,
      port: data.port,
      logWriter,
      stats: new CourierStats(data.stats),
      startedAtMs: data.startedAtMs,
    });
  } catch (err) {
    forward?.stop();
    await fileWriter?.close();
    const e = err as NodeJS.ErrnoException;
    port.postMessage({
      type: 'listen-error',
      code: e.code ?? 'ERR_LISTEN',
      message: e.message,
    } satisfies CourierWorkerReply);
    return;
  }
  const running = server;
  const delivered = new DeliveredIdsForwarder(port);
  running.service.onDelivered = (id) => delivered.add(id);
  await new Promise<void>((resolve) => {
    const onMessage = (command: CourierWorkerCommand): void => {
      if (command.type !== 'stop') return;
      port.off('message', onMessage);
      void running
        .close()
        .then(() => {
          delivered.flush();
          forward?.stop();
          return fileWriter?.close();
        })
        .then(() => {
          port.postMessage({ type: 'stopped' } satisfies CourierWorkerReply);
          resolve();
        });
    };
    port.on('message', onMessage);
    port.postMessage({
      type: 'listening',
      port: running.port,
      url: running.url,
    } satisfies CourierWorkerReply);
  });
}

/** Batches delivered ids into one message per event-loop turn: cheap, and nothing waits long. */
class DeliveredIdsForwarder {
  private ids: string[] = [];
  constructor(private readonly port: Port) {}

  add(id: string): void {
    if (this.ids.length === 0) setImmediate(() => this.flush());
    this.ids.push(id);
  }

  flush(): void {
    if (this.ids.length === 0) return;
    this.port.postMessage({ type: 'delivered', ids: this.ids } satisfies CourierWorkerReply);
    this.ids = [];
  }
}

/** A log sink that writes the file (if any) and sends the lines to the main thread every 100 ms. */
class LineForwarder {
  private lines: string[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly port: Port,
    private readonly file: LogWriter | undefined,
  ) {
    this.timer = setInterval(() => this.flush(), 100);
    this.timer.unref();
  }

  write(record: LogRecord): void {
    this.writeLine(JSON.stringify(record), () => record);
  }

  writeLine(line: string, record: () => LogRecord): void {
    this.file?.writeLine(line, record);
    this.lines.push(line);
  }

  flush(): void {
    if (this.lines.length === 0) return;
    this.port.postMessage({ type: 'logs', text: this.lines.join('\n') } satisfies CourierWorkerReply);
    this.lines = [];
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

if (
  !isMainThread &&
  parentPort &&
  (workerData as Partial<CourierWorkerData> | null)?.courierWorker === true
) {
  const port = parentPort;
  void runCourierWorker(workerData as CourierWorkerData, port).then(() => port.close());
}

/**
 * `npm run courier [-- options]`: the courier alone, a standalone slow API for testing any client.
 * Prints the seed, the log file and then `courier listening on http://HOST:PORT` once it accepts requests;
 * stops cleanly (server closed, logs flushed, exit 0) on SIGINT or SIGTERM. Bad input: one line on
 * stderr and exit code 2, before anything starts.
 */
import { ConfigError } from '../config/config-error.js';
import { helpText, parseCourierOptions, type CommonOptions } from '../config/parse-options.js';
import { LogWriter } from '../logs/log-writer.js';
import { RealClock } from '../time/clock.js';
import { SeededRandom } from '../time/random.js';
import { startCourierServer } from './courier-server.js';

const USAGE = 'usage: npm run courier [-- options]\n\noptions:\n';

function defaultLogFile(): string {
  return `runs/courier-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}${helpText('courier')}\n`);
    return;
  }
  let options: CommonOptions;
  try {
    options = parseCourierOptions(argv);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const logFile = options.logFile ?? defaultLogFile();
  let logWriter: LogWriter;
  try {
    logWriter = new LogWriter({ file: logFile });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail(
      `option --log-file: ${JSON.stringify(logFile)} cannot be opened (${e.code ?? e.message}); allowed: a writable file path`,
    );
  }
  const clock = new RealClock({ speed: options.speed });
  let server;
  try {
    server = await startCourierServer({
      options: options.courier,
      clock,
      random: new SeededRandom(options.seed),
      host: options.host,
      port: options.port,
      logWriter,
      startedAtMs: Date.now(),
    });
  } catch (err) {
    await logWriter.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      fail(
        `option --port: ${options.port} is already in use on ${options.host}; allowed: a free port, or 0 to pick one`,
      );
    }
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
      fail(
        `option --host/--port: cannot listen on ${options.host}:${options.port} (${e.code}); allowed: a local address and a free port`,
      );
    }
    throw err;
  }
  const c = options.courier;
  process.stdout.write(
    `courier seed ${options.seed}${options.seedGiven ? '' : ' (random; replay with --seed ' + options.seed + ')'}\n` +
      `courier POST ${c.path}: key in x-api-key, rate ${c.rate}/s, burst ${c.burst}, failure rate ${c.failureRate}, ` +
      `latency ${c.latency.minMs}-${c.latency.maxMs} ms, timeout ${c.timeoutS} s, speed ${options.speed}\n` +
      `courier logs to ${logFile}\n` +
      `courier listening on ${server.url}\n`,
  );

  const running = server;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    void running
      .close()
      .then(() => logWriter.close())
      .then(() => {
        const s = running.stats.snapshot();
        const statuses = Object.entries(s.byStatus)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ');
        process.stderr.write(`courier stopped (${signal}): ${s.requests} requests (${statuses})\n`);
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main(process.argv.slice(2));

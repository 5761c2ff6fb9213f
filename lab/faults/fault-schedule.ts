/**
 * Applies and reverts faults at exact scenario times, on an injected clock, through a small target that each
 * engine implements (the threads engine messages its courier thread; the virtual engine calls its in-process
 * courier). Overlapping faults of one kind: the one that started last wins while it lasts; when it ends, the
 * value goes back to the latest-started fault of that kind still on, else to the configured value
 * (`undefined` to the target). The target hears only changes of the value in force.
 */
import type { Clock, Timer } from '../time/clock.js';
import type { LatencyRange } from '../config/parse-options.js';
import { faultRecord, faultText, type FaultKind, type FaultSpec } from './fault-spec.js';

/** What a fault can change. `undefined` means "back to the configured value". */
export interface FaultTarget {
  setCourierUp(up: boolean): void;
  setCourierLatency(range: LatencyRange | undefined): void;
  setCourierFailureRate(rate: number | undefined): void;
  setCourierRate(rate: number | undefined): void;
  setLoadFactor(factor: number | undefined): void;
}

export type FaultLog = (level: 'INFO' | 'WARN', message: string) => void;

export interface FaultScheduleOptions {
  clock: Clock;
  target: FaultTarget;
  /** Each apply and revert, as a line for the run's log (service `stormlab`). */
  log?: FaultLog;
}

interface Entry {
  spec: FaultSpec;
  seq: number;
  on: boolean;
  timers: Timer[];
}

export class FaultSchedule {
  private readonly clock: Clock;
  private readonly target: FaultTarget;
  private readonly log: FaultLog | undefined;
  private readonly entries: Entry[] = [];
  /** The value in force per kind, as JSON text ("" for the configured one): the target hears changes only. */
  private readonly inForce = new Map<FaultKind, string>();
  private seq = 0;
  private stopped = false;

  constructor(options: FaultScheduleOptions) {
    this.clock = options.clock;
    this.target = options.target;
    this.log = options.log;
  }

  /** Schedules a fault; a window already open at the clock's now applies at once (a key pressed mid-run). */
  add(spec: FaultSpec): void {
    if (this.stopped) return;
    const entry: Entry = { spec, seq: this.seq++, on: false, timers: [] };
    this.entries.push(entry);
    const now = this.clock.now();
    const startMs = spec.startS * 1000;
    const endMs = startMs + spec.durationS * 1000;
    if (endMs <= now) return;
    entry.timers.push(this.clock.setTimeout(() => this.apply(entry), Math.max(0, startMs - now)));
    entry.timers.push(this.clock.setTimeout(() => this.revert(entry), endMs - now));
  }

  /** Faults as the report lists them, in the order they were added. */
  list(): { kind: FaultKind; value: string; startS: number; durationS: number }[] {
    return this.entries.map((e) => faultRecord(e.spec));
  }

  /** Faults on now, oldest first (the dashboard's status bar). */
  active(): FaultSpec[] {
    return this.entries.filter((e) => e.on).map((e) => e.spec);
  }

  /** Cancels what has not happened yet; faults on stay as they are (the run is ending). */
  stop(): void {
    this.stopped = true;
    for (const e of this.entries) for (const t of e.timers) t.cancel();
  }

  private apply(entry: Entry): void {
    entry.on = true;
    this.log?.('WARN', `fault on: ${faultText(entry.spec)}`);
    this.settle(entry.spec.kind);
  }

  private revert(entry: Entry): void {
    entry.on = false;
    this.log?.('INFO', `fault off: ${faultText(entry.spec)}`);
    this.settle(entry.spec.kind);
  }

  /** Sends the kind's value in force to the target, if it changed. */
  private settle(kind: FaultKind): void {
    let winner: Entry | undefined;
    for (const e of this.entries) {
      if (!e.on || e.spec.kind !== kind) continue;
      if (
        !winner ||
        e.spec.startS > winner.spec.startS ||
        (e.spec.startS === winner.spec.startS && e.seq > winner.seq)
      )
        winner = e;
    }
    const key = winner ? JSON.stringify(winner.spec.parsed) : '';
    if ((this.inForce.get(kind) ?? '') === key) return;
    this.inForce.set(kind, key);
    const v = winner?.spec.parsed;
    switch (kind) {
      case 'courier-outage':
        this.target.setCourierUp(v === undefined);
        break;
      case 'courier-latency':
        this.target.setCourierLatency(
          v?.kind === 'courier-latency' ? { minMs: v.minMs, maxMs: v.maxMs } : undefined,
        );
        break;
      case 'courier-failure-rate':
        this.target.setCourierFailureRate(v?.kind === 'courier-failure-rate' ? v.rate : undefined);
        break;
      case 'courier-rate':
        this.target.setCourierRate(v?.kind === 'courier-rate' ? v.rate : undefined);
        break;
      case 'load':
        this.target.setLoadFactor(v?.kind === 'load' ? v.factor : undefined);
        break;
    }
  }
}

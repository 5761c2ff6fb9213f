import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How hard the machine worked during a run: if the lab itself was the bottleneck, the report says so. */
export interface HostFigures {
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** CPU of the whole process (all threads), as a share of one core, over the run. */
  cpuPctOfOneCore: number;
  peakRssMiB: number;
}

/** Event-loop delay above this (p99, ms) means timers ran late enough to bend the scenario. */
export const FIDELITY_WARNING_P99_MS = 50;

/** Sampling period of the delay histogram, ms. */
const RESOLUTION_MS = 10;

export class HostMonitor {
  // Node records the whole interval between two ticks of a RESOLUTION_MS timer; the delay is what exceeds it.
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private cpuStart = process.cpuUsage();
  private wallStart = performance.now();
  private peakRss = 0;
  private frozen: HostFigures | undefined;
  private lastSampleMs = -Infinity;

  start(): void {
    this.histogram.enable();
    this.cpuStart = process.cpuUsage();
    this.wallStart = performance.now();
  }

  /**
   * Called once per scenario second or so: memory is sampled, at most every 100 real ms (reading it costs
   * about a millisecond, and a virtual run closes thousands of seconds a second).
   */
  sample(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastSampleMs < 100) return;
    this.lastSampleMs = now;
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  stop(): HostFigures {
    if (!this.frozen) {
      this.sample(true);
      this.frozen = this.figures();
      this.histogram.disable();
    }
    return this.frozen;
  }

  figures(): HostFigures {
    if (this.frozen) return this.frozen;
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = Math.max(1, performance.now() - this.wallStart);
    const ms = (ns: number): number =>
      Math.max(0, Math.round(((Number.isFinite(ns) ? ns : 0) / 1e6 - RESOLUTION_MS) * 100) / 100);
    return {
      eventLoopDelayP50Ms: ms(this.histogram.percentile(50)),
      eventLoopDelayP99Ms: ms(this.histogram.percentile(99)),
      eventLoopDelayMaxMs: ms(this.histogram.max),
      cpuPctOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
      peakRssMiB: Math.round(this.peakRss / 1048576),
    };
  }
}

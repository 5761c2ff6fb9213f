/**
 * Reports made up from a cell's options, for testing the sweep around its engine: figures that depend on
 * the options in a known way, so a test can tell every cell apart. (The real per-cell run is the virtual
 * engine's; test/sweep-virtual.test.ts checks the sweep against it.)
 */
import type { LabOptions } from '../../lab/config/parse-options.js';
import type { RunReport } from '../../lab/report/build-report.js';

/** delivered = 100 x rate + fault duration, of 1000 accepted; recovered when the first fault is under 100 s. */
export function madeUpReport(options: LabOptions): RunReport {
  const duration = options.faults[0]?.durationS;
  const delivered = Math.min(1000, Math.round(100 * options.courier.rate + (duration ?? 0)));
  return {
    version: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    scenario: { name: options.scenario, phases: [] },
    mode: options.mode,
    modeChanges: [],
    speed: options.speed,
    seed: options.seed,
    config: {},
    durationS: 600,
    engine: 'virtual',
    orders: {
      accepted: 1000,
      delivered,
      lost: 1000 - delivered,
      deadLettered: 0,
      inFlight: 0,
      rejected: 0,
      duplicates: 0,
    },
    checks: { duplicates: 0, deliveredWithoutCourier200: 0, ingressAccepted: 1000, ok: true },
    deliverySuccessRate: delivered / 1000,
    functions: { notify: {}, delivery: {} },
    peakConcurrency: options.mode === 'queue' ? 20 : 700,
    courier: {
      requests: 4000,
      byStatus: { '200': delivered, '429': 2000 },
      peakAdmittedPerSecond: 10,
      outages: 0,
      connectionErrors: 0,
      deliveredIds: delivered,
    },
    retries: { http: 0, async: 0, redeliveries: 0, asyncThrottled: 0 },
    courierCallsPerOrder: 4,
    queue: { peakDepth: 0, oldestAgeS: 0, dlq: 0, remaining: 0 },
    cost: { requests: 2000, gbSeconds: 10, usd: 0.5 },
    logs: { file: '', notifyStart: 0, deliveryComplete: 0, deliveryFailed: 0, lines: 0 },
    lastDeliveryS: 590,
    host: {
      eventLoopDelayP50Ms: 0,
      eventLoopDelayP99Ms: 0,
      eventLoopDelayMaxMs: 0,
      cpuPctOfOneCore: 0,
      peakRssMiB: 0,
      runWallS: 0,
    },
    endedBy: 'load-finished',
    series: [],
    faults: options.faults.map((f) => ({
      kind: f.kind,
      value: f.value,
      startS: f.startS,
      durationS: f.durationS,
    })),
    recovery:
      duration === undefined
        ? null
        : {
            recovered: duration < 100,
            atS: duration < 100 ? 300 + duration : null,
            afterTriggerS: duration < 100 ? 0 : null,
            lastTriggerEndS: 300 + duration,
            preTriggerGoodputPerS: 5,
            heldS: 60,
            tolerance: 0.1,
            triggers: [],
            sustaining: { callsPerOrder: 4, wastedWorkShare: null, retriesPerS: 1, inFlightAtEnd: 0 },
          },
  };
}

/**
 * Counting the courier's admissions per scenario second from its own `slow-api` log lines, and the
 * limiter's error against its configured rate. Pure functions over text and numbers, so tests check them on
 * a few hand-written lines.
 *
 * A request's START line carries its arrival time on the courier's clock (when the token bucket was asked,
 * to the scenario millisecond); its answer line carries the status. A request was admitted (took a token)
 * unless it was answered 403 or 429.
 *
 * Windows. A bucket that starts full and is then driven above its rate admits on a fixed grid: the first
 * request takes a token at t1, and from then on a token is ready at t1 + k * 1000 / rate. Counting in the
 * clock's whole seconds would let an admission that lands a millisecond after its token fall on either
 * side of a second's edge whenever a token time lies close to one: an error of one admission that only
 * says where the edge is. So the one-second windows are placed with their edges half a token interval
 * after the grid's points: an admission counts in its token's window unless it came more than half a token
 * interval (50 scenario ms at rate 10) late, which is exactly the lateness the bench is after. The clock's
 * whole seconds are counted too, for comparison.
 */

export interface Admissions {
  /** Scenario ms of each admission, ascending. */
  admitted: number[];
  /** Scenario ms of each arrival (the offered load), ascending. */
  arrivals: number[];
}

const REFUSED = new Set([403, 429]);

/**
 * Reads `slow-api` lines (one JSON object a line). `startedAtMs` is the integer wall ms the courier added to
 * scenario time in its timestamps, so `Date.parse(timestamp) - startedAtMs` is the floor of scenario ms.
 */
export function readAdmissions(logText: string, startedAtMs: number): Admissions {
  const arrivalOf = new Map<string, number>();
  const arrivals: number[] = [];
  const admitted: number[] = [];
  const answers: [string, number][] = [];
  for (const line of logText.split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as {
      service?: string;
      status?: string;
      request_id?: string;
      timestamp?: string;
      http_status?: number;
    };
    if (record.service !== 'slow-api' || record.request_id === undefined) continue;
    if (record.status === 'START') {
      const ms = Date.parse(record.timestamp ?? '') - startedAtMs;
      arrivalOf.set(record.request_id, ms);
      arrivals.push(ms);
    } else if (record.http_status !== undefined) {
      answers.push([record.request_id, record.http_status]);
    }
  }
  for (const [id, status] of answers) {
    const ms = arrivalOf.get(id);
    if (ms !== undefined && !REFUSED.has(status)) admitted.push(ms);
  }
  const ascending = (a: number, b: number): number => a - b;
  return { admitted: admitted.sort(ascending), arrivals: arrivals.sort(ascending) };
}

/** Events in each of `count` one-second windows, the first starting at `startMs`. */
export function countInWindows(times: readonly number[], startMs: number, count: number): number[] {
  const counts = new Array<number>(Math.max(0, count)).fill(0);
  for (const t of times) {
    const w = Math.floor((t - startMs) / 1000);
    if (w >= 0 && w < count) counts[w]!++;
  }
  return counts;
}

export interface Windows {
  /** Start of the first judged window, scenario ms. */
  startMs: number;
  /** Whole windows judged. */
  count: number;
}

/**
 * The judged windows: from the bucket's grid (first admission t1, edges half a token interval after grid
 * points), skipping the first window (the burst is spent at t1, and its last requests may straggle into
 * it), up to the last window that ends before the last arrival. `aligned: false` gives the clock's whole
 * seconds instead, skipping the partial second of t1 and the next one.
 */
export function judgedWindows(a: Admissions, rate: number, aligned = true): Windows {
  const t1 = a.admitted[0];
  const last = a.arrivals.at(-1);
  if (t1 === undefined || last === undefined) return { startMs: 0, count: 0 };
  const startMs = aligned ? t1 + 500 / rate + 1000 : (Math.floor(t1 / 1000) + 2) * 1000;
  return { startMs, count: Math.max(0, Math.floor((last - startMs) / 1000)) };
}

/** |count - rate| / rate in percent, for each window. */
export function errorsPct(counts: readonly number[], rate: number): number[] {
  return counts.map((n) => (Math.abs(n - rate) / rate) * 100);
}

/** The worst error of each of `rounds` consecutive, equal blocks of `errors` (a leftover tail is dropped). */
export function worstPerRound(errors: readonly number[], rounds: number): number[] {
  const size = Math.floor(errors.length / rounds);
  if (size === 0) return [];
  return Array.from({ length: rounds }, (_, r) => Math.max(...errors.slice(r * size, (r + 1) * size)));
}

/**
 * Faults on the dashboard: a status-bar segment while any is on (with the time it has left), and a marker
 * on the charts, a series at the top of the scale over the seconds a fault was on. Pure, like the view model.
 */
import type { LabSnapshot, SeriesRow } from '../lab/lab-view.js';
import { bucketEdges, windowBounds, type ChartModel, type TimeWindow } from './view-model.js';
import { escapeTags, fmtDuration, type Segment } from './format.js';
import { parseFaultText, type FaultSpec } from '../lab/faults/fault-spec.js';

export interface FaultWindow {
  kind: string;
  value: string;
  startS: number;
  durationS: number;
}

/** Seconds of courier outage the dashboard's key fires. */
export const KEY_OUTAGE_S = 60;

/** The outage the dashboard's key fires at scenario time `t` (whole seconds, as the report lists it). */
export function keyOutage(t: number): FaultSpec {
  return parseFaultText(`courier-outage@${Math.floor(t)}+${KEY_OUTAGE_S}`);
}

/** `FAULT courier-outage 42s left` (the soonest to end first when several are on); none when none is. */
export function faultSegment(snap: LabSnapshot): Segment | undefined {
  const active = snap.faults?.active ?? [];
  const verdict = snap.faults?.verdict;
  if (active.length === 0) {
    if (!verdict) return undefined;
    const recovered = verdict.startsWith('recovered');
    return {
      text: ` ${verdict} `,
      priority: 1,
      tag: recovered ? 'black-fg}{green-bg' : 'black-fg}{yellow-bg',
    };
  }
  const text = active
    .map((f) => {
      const left = Math.max(0, f.startS + f.durationS - snap.t);
      const value = f.kind === 'courier-outage' ? '' : `=${f.value}`;
      return `${f.kind}${value} ${fmtDuration(left)} left`;
    })
    .join(', ');
  return { text: ` FAULT ${escapeTags(text)} `, priority: 0, tag: 'white-fg}{red-bg' };
}

/** Adds the fault marker to a chart built over `rows` (same window and points), when a fault falls in it. */
export function withFaultMarker(
  model: ChartModel,
  rows: readonly SeriesRow[],
  window: TimeWindow,
  points: number,
  faults: readonly FaultWindow[],
): ChartModel {
  if (faults.length === 0) return model;
  const { start, end } = windowBounds(rows.length, window);
  if (end <= start) return model;
  const edges = bucketEdges(start, end, points);
  const y: number[] = [];
  let any = false;
  for (let i = 0; i + 1 < edges.length; i++) {
    // Row j closes second rows[j].t, covering (t-1, t].
    const fromS = rows[edges[i]!]!.t - 1;
    const toS = rows[edges[i + 1]! - 1]!.t;
    const on = faults.some((f) => f.startS < toS && f.startS + f.durationS > fromS);
    any ||= on;
    y.push(on ? model.maxY : 0);
  }
  if (!any) return model;
  return {
    ...model,
    series: [...model.series, { title: 'fault', colour: 'red', y, readout: 'on', reference: true }],
  };
}

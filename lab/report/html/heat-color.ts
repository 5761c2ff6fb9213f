/**
 * Colour of a heat-map cell by delivered share: light red (0) through light amber (0.5) to light green (1).
 * Light, so dark text stays readable on it; the cells also say their verdict in words, so colour is never
 * the only cue.
 */
const STOPS: [at: number, rgb: [number, number, number]][] = [
  [0, [244, 163, 163]],
  [0.5, [253, 227, 160]],
  [1, [168, 221, 181]],
];

export function heatColor(share: number): string {
  const s = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  for (let i = 1; i < STOPS.length; i++) {
    const [a, ca] = STOPS[i - 1]!;
    const [b, cb] = STOPS[i]!;
    if (s <= b) {
      const f = (s - a) / (b - a);
      const mix = ca.map((c, k) => Math.round(c + (cb[k]! - c) * f));
      return `rgb(${mix.join(', ')})`;
    }
  }
  return `rgb(${STOPS.at(-1)![1].join(', ')})`;
}

/** The scale drawn under the map, as a CSS gradient of the same stops. */
export function heatGradient(): string {
  return `linear-gradient(to right, ${STOPS.map(([at, c]) => `rgb(${c.join(', ')}) ${at * 100}%`).join(', ')})`;
}

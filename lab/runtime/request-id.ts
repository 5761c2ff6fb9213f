import type { Random } from '../time/random.js';

/** A UUID v4-shaped id drawn from the seeded generator, so a seed replays the same ids. */
export function seededUuid(random: Random): string {
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(random.next() * 16).toString(16);
    return s;
  };
  const variant = (8 + Math.floor(random.next() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

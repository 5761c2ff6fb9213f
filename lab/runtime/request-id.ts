import type { Random } from '../time/random.js';

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** The id being drawn, as bytes: dashes stay where they are. */
const id = Buffer.alloc(36, '-');

/**
 * A UUID v4-shaped id drawn from the seeded generator, so a seed replays the same ids: the variant digit
 * (8 to b) first, then one draw per hex digit. Every order and every invocation takes one, so the digits
 * go into one buffer and become a string once (building it character by character was 5% of a virtual run).
 */
export function seededUuid(random: Random): string {
  const variant = HEX_CODES[8 + Math.floor(random.next() * 4)]!;
  let at = 0;
  for (let i = 0; i < 8; i++) id[at++] = HEX_CODES[Math.floor(random.next() * 16)]!;
  at++;
  for (let i = 0; i < 4; i++) id[at++] = HEX_CODES[Math.floor(random.next() * 16)]!;
  at++;
  id[at++] = 0x34; // the version, 4
  for (let i = 0; i < 3; i++) id[at++] = HEX_CODES[Math.floor(random.next() * 16)]!;
  at++;
  id[at++] = variant;
  for (let i = 0; i < 3; i++) id[at++] = HEX_CODES[Math.floor(random.next() * 16)]!;
  at++;
  for (let i = 0; i < 12; i++) id[at++] = HEX_CODES[Math.floor(random.next() * 16)]!;
  return id.toString('latin1', 0, 36);
}

/**
 * Seeded randomness. Every random choice in the lab (arrivals, courier failures and latencies, retry jitter)
 * draws from a `Random` forked from the run's seed, so a seed replays the same decisions.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** An independent stream derived from this one's seed and `label`. */
  fork(label: string | number): Random;
  readonly seed: number;
}

/** 32-bit FNV-1a of the label mixed with the parent seed. */
export function deriveSeed(seed: number, label: string | number): number {
  let h = 0x811c9dc5 ^ seed;
  const text = String(label);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** sfc32: small, fast, and passes PractRand far beyond what a lab run draws. */
export class SeededRandom implements Random {
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.a = mix32(this.seed ^ 0x9e3779b9);
    this.b = mix32(this.seed ^ 0x243f6a88);
    this.c = mix32(this.seed ^ 0xb7e15162);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  fork(label: string | number): Random {
    return new SeededRandom(deriveSeed(this.seed, label));
  }
}

/** A seed for runs given none: printed with the run so it can be replayed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

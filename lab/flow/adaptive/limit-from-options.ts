import type { AdaptiveLimitName } from '../../config/option-spec.js';
import type { LabOptions } from '../../config/parse-options.js';
import { AimdLimit } from './aimd-limit.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { GradientLimit } from './gradient-limit.js';

/** An adaptive limit as the options configure it, and its ceiling (the ESM's MaximumConcurrency). */
export function adaptiveLimit(
  name: AdaptiveLimitName,
  options: Pick<LabOptions, 'aimd' | 'gradient' | 'queueConcurrency'>,
): { limit: ConcurrencyLimit; max: number } {
  if (name === 'aimd') {
    const a = options.aimd;
    // It starts at the fixed cap the run would otherwise have (10 by default), within its bounds.
    const limit = new AimdLimit({
      initial: options.queueConcurrency,
      min: a.min,
      max: a.max,
      backoffRatio: a.backoff,
      timeoutMs: a.timeoutS * 1000,
    });
    return { limit, max: a.max };
  }
  const g = options.gradient;
  const limit = new GradientLimit({
    minConcurrency: g.minConcurrency,
    max: g.max,
    buffer: g.buffer,
    sampleWindowMs: g.windowS * 1000,
    minRttIntervalMs: g.minRttIntervalS * 1000,
    minRttRequests: g.minRttRequests,
    percentile: g.percentile,
  });
  return { limit, max: g.max };
}

/** Lambda's price, arm64 (DESIGN section 1; aws-semantics 2.16-2.19). */
export const PRICE_PER_REQUEST_USD = 0.2 / 1_000_000;
export const PRICE_PER_GB_SECOND_USD = 0.0000133334;

/** GB-s of one invocation: duration rounded up to 1 ms, init time included, times memory in GB. */
export function gbSeconds(durationMs: number, memoryMb: number): number {
  return (Math.ceil(durationMs) / 1000) * (memoryMb / 1024);
}

export function costUsd(requests: number, gbS: number): number {
  return requests * PRICE_PER_REQUEST_USD + gbS * PRICE_PER_GB_SECOND_USD;
}

/**
 * The courier's decision for one request (DESIGN section 1): the API key first, then the usage-plan token
 * bucket, then a random failure, else a uniform latency that the integration timeout may cut short. Pure
 * apart from the bucket and the random stream it is handed: time is the `now` argument, in scenario ms.
 */
import { timingSafeEqual } from 'node:crypto';
import type { CourierOptions } from '../config/parse-options.js';
import type { Random } from '../time/random.js';
import type { TokenBucket } from '../time/token-bucket.js';

export type CourierStatus = 200 | 403 | 429 | 502 | 504;

export interface CourierDecision {
  status: CourierStatus;
  /** The JSON response body, as text (constant bodies are shared strings, never re-serialised). */
  body: string;
  /** Scenario ms to wait before answering: 0 for 403, 429 and 502. */
  delayMs: number;
}

/** Bodies as API Gateway writes them (reference/aws-semantics.md 5.7 to 5.12). */
export const FORBIDDEN_BODY = '{"message":"Forbidden"}';
export const THROTTLED_BODY = '{"message":"Too Many Requests"}';
export const FAILURE_BODY = '{"message":"Internal server error"}';
export const TIMEOUT_BODY = '{"message":"Endpoint request timed out"}';

const FORBIDDEN: CourierDecision = Object.freeze({ status: 403, body: FORBIDDEN_BODY, delayMs: 0 });
const THROTTLED: CourierDecision = Object.freeze({ status: 429, body: THROTTLED_BODY, delayMs: 0 });
const FAILED: CourierDecision = Object.freeze({ status: 502, body: FAILURE_BODY, delayMs: 0 });

export function successBody(requestId: string): string {
  return `{"message":"delivery scheduled","request_id":${JSON.stringify(requestId)}}`;
}

/**
 * Compares a presented key with the expected one in time that does not depend on where they differ.
 * A key of another length is refused after a comparison of the same cost, so the timing tells nothing
 * beyond the length.
 */
export class ApiKeyCheck {
  private readonly key: string;
  private readonly expected: Buffer;

  constructor(expected: string) {
    this.key = expected;
    this.expected = Buffer.from(expected, 'utf8');
  }

  /** Whether this check was built for the configured `key` (both are ours: no timing concern). */
  isFor(key: string): boolean {
    return this.key === key;
  }

  matches(given: string | undefined): boolean {
    if (given === undefined) return false;
    const buf = Buffer.from(given, 'utf8');
    if (buf.length !== this.expected.length) {
      timingSafeEqual(this.expected, this.expected);
      return false;
    }
    return timingSafeEqual(buf, this.expected);
  }
}

/** Cached per options object, so a caller passing the same options pays for the key buffer once. */
const keyChecks = new WeakMap<CourierOptions, ApiKeyCheck>();

function keyCheckFor(options: CourierOptions): ApiKeyCheck {
  let check = keyChecks.get(options);
  if (!check?.isFor(options.apiKey)) {
    check = new ApiKeyCheck(options.apiKey);
    keyChecks.set(options, check);
  }
  return check;
}

export interface CourierRequest {
  /** The `x-api-key` header, if any. */
  apiKey: string | undefined;
  /** Goes into the success body; the server makes one per request. */
  requestId: string;
}

/**
 * The usage-plan door: 403 for a missing or wrong key (spending no token), 429 for an empty bucket
 * (spending nothing), `undefined` when the request is admitted and has taken its token.
 */
export function admitCourierRequest(
  apiKey: string | undefined,
  now: number,
  bucket: TokenBucket,
  options: CourierOptions,
): CourierDecision | undefined {
  if (!keyCheckFor(options).matches(apiKey)) return FORBIDDEN;
  if (!bucket.tryTake(now)) return THROTTLED;
  return undefined;
}

/**
 * The integration's draws for an admitted request: a failure (at once), or the latency its work takes.
 * Failure first, then latency (only for non-failures), so a seed replays the same outcomes with or without
 * the backend's capacity model.
 */
export function drawIntegration(
  random: Random,
  options: CourierOptions,
): { failed: CourierDecision } | { latencyMs: number } {
  if (random.chance(options.failureRate)) return { failed: FAILED };
  return { latencyMs: random.uniform(options.latency.minMs, options.latency.maxMs) };
}

/**
 * What the integration does with an admitted request: fail at once with probability `failureRate`, else
 * answer after a uniform latency, or after exactly the integration timeout with 504 if the latency is
 * longer. Draws failure first, then latency (only for non-failures).
 */
export function integrationOutcome(
  requestId: string,
  random: Random,
  options: CourierOptions,
): CourierDecision {
  const drawn = drawIntegration(random, options);
  if ('failed' in drawn) return drawn.failed;
  const latency = drawn.latencyMs;
  const timeoutMs = options.timeoutS * 1000;
  if (latency > timeoutMs) return { status: 504, body: TIMEOUT_BODY, delayMs: timeoutMs };
  return { status: 200, body: successBody(requestId), delayMs: latency };
}

/**
 * Decides one request at scenario time `now`: the door, then the integration. Random draws happen only
 * for admitted requests, so a seed replays the same admitted outcomes whatever the refused traffic was.
 */
export function decideCourierRequest(
  request: CourierRequest,
  now: number,
  bucket: TokenBucket,
  random: Random,
  options: CourierOptions,
): CourierDecision {
  return (
    admitCourierRequest(request.apiKey, now, bucket, options) ??
    integrationOutcome(request.requestId, random, options)
  );
}

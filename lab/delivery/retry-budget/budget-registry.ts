import { LocalMilliStore, MILLI, SharedMilliStore, type MilliStore } from './milli-store.js';
import type { RetryBudget } from './retry-budget.js';
import { SdkStandardBudget, SDK_INITIAL_RETRY_TOKENS } from './sdk-standard-budget.js';
import { GrpcThrottleBudget } from './grpc-throttle-budget.js';
import { RetryBucketBudget } from './retry-bucket-budget.js';

export const BUDGET_POLICIES = ['sdk-standard', 'grpc-throttle', 'retry-bucket'] as const;
export type BudgetPolicyName = (typeof BUDGET_POLICIES)[number];
export const BUDGET_SCOPES = ['environment', 'shared'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

export function isBudgetPolicy(name: string): name is BudgetPolicyName {
  return (BUDGET_POLICIES as readonly string[]).includes(name);
}

export interface BudgetParams {
  grpcMaxTokens: number;
  grpcTokenRatio: number;
  bucketCapacity: number;
}

/** Milli-tokens a fresh budget of this policy holds: every policy starts full. */
export function fullMilli(policy: BudgetPolicyName, params: BudgetParams): number {
  if (policy === 'sdk-standard') return SDK_INITIAL_RETRY_TOKENS * MILLI;
  if (policy === 'grpc-throttle') return params.grpcMaxTokens * MILLI;
  return params.bucketCapacity * MILLI;
}

export function makeBudget(policy: BudgetPolicyName, store: MilliStore, params: BudgetParams): RetryBudget {
  if (policy === 'sdk-standard') return new SdkStandardBudget(store);
  if (policy === 'grpc-throttle')
    return new GrpcThrottleBudget(store, {
      maxTokens: params.grpcMaxTokens,
      tokenRatio: params.grpcTokenRatio,
    });
  return new RetryBucketBudget(store, params.bucketCapacity);
}

/** Tokens across the budgets of a scope, for the series: one budget when shared. */
export interface BudgetFigures {
  /** Budgets alive (1 when shared). */
  count: number;
  mean: number;
  min: number;
}

export interface BudgetRegistryOptions {
  policy: BudgetPolicyName;
  params: BudgetParams;
  scope: BudgetScope;
  /**
   * Threads: the cells every thread maps (from `buffer` of the registry the main thread made). Shared scope
   * uses cell 0; environment scope one cell per environment slot. Absent: plain objects in this thread.
   */
  buffer?: SharedArrayBuffer;
}

/** Environment slots a shared buffer holds; an environment's number picks its slot. */
export const ENVIRONMENT_SLOTS = 4096;

/**
 * Who holds which budget. `shared`: one for every invocation, as a budget in a shared store would be.
 * `environment`: one per execution environment, as an SDK client created at init inside each Lambda holds
 * it; a new environment starts with a full budget (its cold start builds a new client).
 */
export class BudgetRegistry {
  readonly buffer: SharedArrayBuffer | undefined;
  private readonly full: number;
  private readonly local = new Map<string, RetryBudget>();
  private readonly cells: Int32Array | undefined;

  constructor(
    private readonly o: BudgetRegistryOptions,
    threads = false,
  ) {
    this.full = fullMilli(o.policy, o.params);
    const slots = o.scope === 'shared' ? 1 : ENVIRONMENT_SLOTS;
    // Two cells a slot: the count, and a flag saying the slot holds a live environment's budget.
    this.buffer = o.buffer ?? (threads ? new SharedArrayBuffer(slots * 2 * 4) : undefined);
    this.cells = this.buffer ? new Int32Array(this.buffer) : undefined;
    if (this.cells && !o.buffer && o.scope === 'shared') {
      Atomics.store(this.cells, 0, this.full);
      Atomics.store(this.cells, 1, 1);
    }
  }

  get scope(): BudgetScope {
    return this.o.scope;
  }

  /** The budget an invocation in `environmentId` consults; `coldStart` marks the environment's first one. */
  budgetFor(environmentId: string, coldStart: boolean): RetryBudget {
    const key = this.o.scope === 'shared' ? '*' : environmentId;
    const known = this.local.get(key);
    if (known && !(coldStart && this.o.scope === 'environment')) return known;
    const store = this.cells ? this.sharedStore(key, coldStart) : new LocalMilliStore(this.full);
    const budget = makeBudget(this.o.policy, store, this.o.params);
    this.local.set(key, budget);
    return budget;
  }

  /** Tokens held now, over every budget this registry knows (in shared memory: every thread's). */
  figures(): BudgetFigures {
    const values: number[] = [];
    if (this.cells) {
      for (let i = 0; i < this.cells.length; i += 2)
        if (Atomics.load(this.cells, i + 1) === 1) values.push(Atomics.load(this.cells, i));
    } else {
      for (const b of this.local.values()) values.push(b.store.load());
    }
    if (values.length === 0) return { count: 0, mean: this.full / MILLI, min: this.full / MILLI };
    const sum = values.reduce((a, b) => a + b, 0);
    return {
      count: values.length,
      mean: Math.round(sum / values.length) / MILLI,
      min: Math.min(...values) / MILLI,
    };
  }

  private sharedStore(key: string, coldStart: boolean): MilliStore {
    const slot = key === '*' ? 0 : environmentNumber(key) % ENVIRONMENT_SLOTS;
    const store = new SharedMilliStore(0, this.buffer, slot * 2);
    if (key !== '*' && (coldStart || Atomics.load(this.cells!, slot * 2 + 1) === 0)) {
      Atomics.store(this.cells!, slot * 2, this.full);
      Atomics.store(this.cells!, slot * 2 + 1, 1);
    }
    return store;
  }
}

/** "delivery-17" -> 17: environment ids end in their sequence number. */
function environmentNumber(id: string): number {
  const m = /(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

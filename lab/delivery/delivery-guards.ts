import type { Clock } from '../time/clock.js';
import type { LabOptions } from '../config/parse-options.js';
import type { TaskContext } from '../runtime/function-types.js';
import {
  BudgetRegistry,
  isBudgetPolicy,
  type BudgetFigures,
  type BudgetPolicyName,
} from './retry-budget/budget-registry.js';
import type { RetryBudget } from './retry-budget/retry-budget.js';
import { BreakerRegistry, type BreakerFigures } from './circuit-breaker/breaker-registry.js';
import type { Breaker } from './circuit-breaker/circuit-breaker.js';
import { retryPolicy, type RetryPolicy } from './retry-policy.js';

/** The options the guards read: what a worker thread needs to make its own. */
export type GuardOptions = Pick<
  LabOptions,
  'retryPolicy' | 'retryBudgetScope' | 'grpcMaxTokens' | 'grpcTokenRatio' | 'retryBucketCapacity' | 'breaker'
>;

export function guardOptionsOf(o: GuardOptions): GuardOptions {
  return {
    retryPolicy: o.retryPolicy,
    retryBudgetScope: o.retryBudgetScope,
    grpcMaxTokens: o.grpcMaxTokens,
    grpcTokenRatio: o.grpcTokenRatio,
    retryBucketCapacity: o.retryBucketCapacity,
    breaker: { ...o.breaker },
  };
}

/** What one delivery invocation is guarded by, and the retry schedule it follows. */
export interface InvocationGuards {
  policy: RetryPolicy;
  budget?: RetryBudget;
  breaker?: Breaker;
}

export interface GuardFigures {
  /** Tokens now: the shared budget's, or the mean and minimum over environments. Absent without a budget. */
  budget?: BudgetFigures & { policy: BudgetPolicyName; scope: string };
  breaker?: BreakerFigures & { mode: string; scope: string };
}

/**
 * The retry budgets and circuit breakers of one run, per execution environment or shared, as the options
 * say. An engine asks `forInvocation(context)` for each delivery invocation and hands the result to
 * `deliverOrder`. In one thread (the virtual engine) this one object holds every budget and breaker; with
 * worker threads, pass `threads: true` and give the workers `budgetBuffer`: the budgets then live in shared
 * memory, and each worker makes its own DeliveryGuards on that buffer.
 */
export class DeliveryGuards {
  readonly budgets: BudgetRegistry | undefined;
  readonly breakers: BreakerRegistry | undefined;
  private readonly policy: string;
  /** The retry schedule: every invocation made while these guards are current follows it. */
  readonly retryPolicy: RetryPolicy;
  readonly options: GuardOptions;

  constructor(
    options: GuardOptions,
    clock: Clock,
    shared: { threads?: boolean; budgetBuffer?: SharedArrayBuffer; breakerBuffer?: SharedArrayBuffer } = {},
  ) {
    const policy = options.retryPolicy;
    this.policy = policy;
    this.retryPolicy = retryPolicy(policy);
    this.options = guardOptionsOf(options);
    if (isBudgetPolicy(policy)) {
      this.budgets = new BudgetRegistry(
        {
          policy,
          scope: options.retryBudgetScope,
          params: {
            grpcMaxTokens: options.grpcMaxTokens,
            grpcTokenRatio: options.grpcTokenRatio,
            bucketCapacity: options.retryBucketCapacity,
          },
          buffer: shared.budgetBuffer,
        },
        shared.threads ?? false,
      );
    }
    const b = options.breaker;
    if (b.mode !== 'off')
      this.breakers = new BreakerRegistry(
        clock,
        { ...b, mode: b.mode },
        { threads: shared.threads ?? false, buffer: shared.breakerBuffer },
      );
  }

  get budgetBuffer(): SharedArrayBuffer | undefined {
    return this.budgets?.buffer;
  }

  get breakerBuffer(): SharedArrayBuffer | undefined {
    return this.breakers?.buffer;
  }

  forInvocation(context: TaskContext): InvocationGuards {
    const env = context.environmentId ?? context.requestId;
    const guards: InvocationGuards = { policy: this.retryPolicy };
    if (this.budgets) guards.budget = this.budgets.budgetFor(env, context.coldStart);
    if (this.breakers) guards.breaker = this.breakers.breakerFor(env, context.coldStart);
    return guards;
  }

  figures(): GuardFigures {
    const f: GuardFigures = {};
    const policy = this.policy;
    if (this.budgets && isBudgetPolicy(policy))
      f.budget = { ...this.budgets.figures(), policy, scope: this.budgets.scope };
    if (this.breakers)
      f.breaker = {
        ...this.breakers.figures(),
        mode: this.breakers.params.mode,
        scope: this.breakers.params.scope,
      };
    return f;
  }
}

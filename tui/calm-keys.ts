/**
 * The dashboard's keys for issue 12's policies: each press moves one setting to its next value and says
 * what it is now. The session applies it from the next invocation on; a session without these controls
 * (a replay) says so instead.
 */
import type { LabSession } from '../lab/lab-view.js';
import { BREAKER_ORDER, nextIn, QUEUE_LIMIT_ORDER, RETRY_POLICY_ORDER } from './key-map.js';

export type CalmKey = 'queue-limit' | 'retry-policy' | 'calm-scope' | 'breaker';

export function applyCalmKey(session: LabSession, key: CalmKey): string {
  const calm = session.snapshot().calm;
  if (!calm || !session.setQueueLimit || !session.setGuards) return 'this session cannot change that live';
  const g = calm.guards;
  switch (key) {
    case 'queue-limit': {
      const next = nextIn(QUEUE_LIMIT_ORDER, calm.queueLimit);
      session.setQueueLimit(next);
      return `queue limit: ${next === 'fixed' ? 'fixed cap' : next} (applies in queue and throttle modes)`;
    }
    case 'retry-policy': {
      const next = nextIn(RETRY_POLICY_ORDER, g.retryPolicy);
      session.setGuards({ retryPolicy: next });
      return `retry policy: ${next}${RETRY_POLICY_ORDER.indexOf(next) < 4 && next !== 'tenacity' ? ` (budget per ${g.retryBudgetScope})` : ''}`;
    }
    case 'calm-scope': {
      const scope = g.retryBudgetScope === 'environment' ? 'shared' : 'environment';
      session.setGuards({ retryBudgetScope: scope, breaker: { ...g.breaker, scope } });
      return `budgets and breakers: ${scope === 'shared' ? 'one shared' : 'one per execution environment'}`;
    }
    case 'breaker': {
      const next = nextIn(BREAKER_ORDER, g.breaker.mode);
      session.setGuards({ breaker: { ...g.breaker, mode: next } });
      return `circuit breaker: ${next}${next === 'off' ? '' : ` (per ${g.breaker.scope})`}`;
    }
  }
}

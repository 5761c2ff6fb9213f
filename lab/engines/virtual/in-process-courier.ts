/**
 * The virtual engine's way to the courier: a function call instead of an HTTP request. The request goes
 * through the same CourierService the HTTP server uses (door, integration, latency on the scenario clock,
 * counters, `slow-api` lines); only the route and body checks, which the delivery function always passes,
 * are the server's alone.
 */
import type { CourierAnswer } from '../../delivery/deliver-order.js';
import type { CourierService } from '../../courier/courier-service.js';
import { messageOf } from '../../courier/courier-server.js';

export class InProcessCourier {
  /** False while the courier is down: calls fail as refused connections, as over HTTP. */
  up = true;

  constructor(private readonly service: CourierService) {}

  /**
   * POSTs an order. Resolves with the answer when it is due; rejects with `signal.reason` if the caller
   * gives up first, while the courier still answers (into a closed connection) and counts it, as a server does.
   */
  post(_body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<CourierAnswer> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (!this.up) return Promise.resolve({ status: 'connection-error', message: 'ECONNREFUSED' });
    const service = this.service;
    const arrival = service.arrive(headers['x-correlation-id'], 'POST', service.options.path);
    const refusal = service.admit(arrival, headers['x-api-key']);
    if (refusal) {
      service.answered(arrival, refusal.status, messageOf(refusal.status, refusal.body));
      return Promise.resolve({ status: refusal.status });
    }
    return new Promise<CourierAnswer>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      service.integrate(arrival, (decision) => {
        service.answered(arrival, decision.status, messageOf(decision.status, decision.body));
        signal.removeEventListener('abort', onAbort);
        resolve({ status: decision.status });
      });
    });
  }
}

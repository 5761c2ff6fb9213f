import type { HandlerOutcome, TaskContext } from '../lab/runtime/function-types.js';

export interface NotifyPayload {
  body: Record<string, unknown>;
}

export interface NotifyResult {
  /** PutEvents entries for the bus. */
  entries: { source: string; 'detail-type': string; detail: Record<string, unknown> }[];
  response: { request_id: string; correlation_id: string };
}

/** NotificationFunction: adds meta_data.correlation_id and puts an "order-notify" event on the bus. */
export function notifyHandler(payload: NotifyPayload, context: TaskContext): HandlerOutcome {
  const correlationId = context.correlationId ?? context.requestId;
  const detail = { ...payload.body, meta_data: { correlation_id: correlationId } };
  const value: NotifyResult = {
    entries: [{ source: 'stormlab.notify', 'detail-type': 'order-notify', detail }],
    response: { request_id: context.requestId, correlation_id: correlationId },
  };
  return { ok: true, value, logs: [] };
}

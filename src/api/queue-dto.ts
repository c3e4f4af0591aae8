// Request and response shapes of the queue endpoints (`GET /queue`, `DELETE /queue/:id`) and of
// `GET /failures` (loops that ended needs_human or failed). snake_case on the wire.
import { z } from 'zod';
import { type QueueName, queueNames, type Stage } from '../domain/index.js';

/** `GET /queue`: every live entry, or those of one queue and/or one state. */
export const ListQueueQuery = z
  .object({
    queue: z.enum(queueNames).optional(),
    state: z.enum(['queued', 'claimed']).optional(),
  })
  .strict();
export type ListQueueQuery = z.infer<typeof ListQueueQuery>;

/**
 * `DELETE /queue/:id`: `by` names who removes it, for the cancelled loop's reason ("removed from the
 * queue by <by>"); without it the reason says "by an API request".
 */
export const RemoveQueueEntryQuery = z
  .object({
    by: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\p{Cc}]*$/u, 'no control characters')
      .optional(),
  })
  .strict();
export type RemoveQueueEntryQuery = z.infer<typeof RemoveQueueEntryQuery>;

/** `GET /failures`: the newest `limit` loops that ended needs_human or failed. */
export const ListFailuresQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(20),
  })
  .strict();
export type ListFailuresQuery = z.infer<typeof ListFailuresQuery>;

export type QueueEntryState = 'queued' | 'claimed';

export interface ProjectRefView {
  id: string;
  name: string;
  path: string | null;
  repo: string | null;
}

export interface QueueEntryView {
  id: string;
  loop_id: string;
  project: ProjectRefView;
  number: number;
  title: string;
  /** The loop's stage now. */
  stage: Stage;
  paused: boolean;
  queue: QueueName;
  /** `queued`: waiting to be claimed; `claimed`: a node runs the loop under a lease. */
  state: QueueEntryState;
  /** The node holding the lease (claimed only). */
  owner: string | null;
  lease_expires_at: string | null;
  /** Not claimable before this time (backoff after a transient failure, a CI wait). */
  not_before: string;
  /** Times the entry went back to the queue (retries, expired leases, restarts). */
  attempts: number;
  last_error: string | null;
  enqueued_at: string;
}

export interface QueueRemovedView {
  /** The entry as it was when removed. */
  entry: QueueEntryView;
  loop_id: string;
  /** True when the loop had not ended and was cancelled with the removal. */
  cancelled: boolean;
  /** The loop's stage and reason now. */
  stage: Stage;
  reason: string | null;
}

export interface FailureView {
  loop_id: string;
  project: ProjectRefView;
  kind: 'issue' | 'review' | 'fix';
  number: number;
  title: string;
  /** `needs_human` or `failed`. */
  stage: Stage;
  /** The stage the loop was at when it stopped (what `retry --mode resume` returns to). */
  stopped_at: Stage | null;
  reason: string | null;
  finished_at: string | null;
  /** The loop's last `step.failed` event, if any (a budget stop has none). */
  last_failure: {
    event_id: number;
    at: string;
    stage: string | null;
    attempt: number | null;
    failure_class: string | null;
    reason: string | null;
  } | null;
}

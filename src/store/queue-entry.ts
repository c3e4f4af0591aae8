// A queue entry as the rest of Looper sees it, and the order claims hand entries out in.
import type { Selectable } from 'kysely';
import type { LoopId, QueueEntryId, QueueName } from '../domain/index.js';
import type { QueueEntriesTable, QueueStatus } from './schema.js';

export interface QueueEntryRecord {
  id: QueueEntryId;
  loopId: LoopId;
  queue: QueueName;
  /** From the domain's `queuePriority`: lower runs first. */
  priority: number;
  dedupeKey: string;
  status: QueueStatus;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  attempts: number;
  notBefore: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Queued or claimed: the entries that count for dedupe. */
export const liveStatuses: readonly QueueStatus[] = ['queued', 'claimed'];

export function toQueueEntry(row: Selectable<QueueEntriesTable>): QueueEntryRecord {
  return {
    id: row.id as QueueEntryId,
    loopId: row.loop_id as LoopId,
    queue: row.queue,
    priority: row.priority,
    dedupeKey: row.dedupe_key,
    status: row.status,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    attempts: row.attempts,
    notBefore: row.not_before,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Priority, then FIFO by creation time, then id (creation order within one millisecond). */
export function claimOrder(a: QueueEntryRecord, b: QueueEntryRecord): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

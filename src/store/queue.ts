// The work queue: entries that say "advance loop L", admitted with a dedupe key and claimed under a
// lease by schedulers (leases live in queue-leases.ts).
import { sql } from 'kysely';
import {
  type Clock,
  type IdSource,
  LooperError,
  type QueueName,
  queuePriority,
} from '../domain/index.js';
import { affected, atomically, type Db } from './db-helpers.js';
import { liveStatuses, type QueueEntryRecord, toQueueEntry } from './queue-entry.js';
import { createQueueLeases, type QueueLeases } from './queue-leases.js';
import type { QueueStatus } from './schema.js';

export interface Enqueue {
  loopId: string;
  queue: QueueName;
  dedupeKey: string;
  /** Not claimable before this time (epoch ms). Default: now. */
  notBefore?: number;
}

export interface QueueRepo extends QueueLeases {
  /**
   * Adds an entry, or returns the live (queued or claimed) one with the same dedupe key. A queued
   * live entry is moved up to the new queue's priority and brought forward to `notBefore` if those
   * are more urgent. A claimed one is returned as is: its claimer decides what follows.
   */
  enqueue(input: Enqueue): Promise<QueueEntryRecord>;
  getEntry(id: string): Promise<QueueEntryRecord | null>;
  /** Live entries (queued and claimed) by default, in claim order. */
  listQueue(filter?: {
    status?: readonly QueueStatus[];
    loopId?: string;
    queue?: QueueName;
  }): Promise<QueueEntryRecord[]>;
  countQueue(): Promise<{ queued: number; claimed: number }>;
  deleteEntry(id: string): Promise<void>;
  /**
   * Deletes the entry only while it is waiting (`queued`): one statement, so a claim that lands
   * first wins and the entry stays with its claimer. True when it was deleted.
   */
  deleteQueuedEntry(id: string): Promise<boolean>;
}

/** The partial unique index's predicate, as literals so SQLite can match the index to it. */
const livePredicate = sql<boolean>`status in ('queued', 'claimed')`;

export function createQueueRepo(db: Db, clock: Clock, ids: IdSource): QueueRepo {
  const getEntry = async (id: string) => {
    const row = await db
      .selectFrom('queue_entries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toQueueEntry(row) : null;
  };

  const enqueueOnce = async (tx: Db, input: Enqueue): Promise<QueueEntryRecord | null> => {
    const now = clock.now();
    const priority = queuePriority[input.queue];
    const notBefore = input.notBefore ?? now;
    const inserted = await tx
      .insertInto('queue_entries')
      .values({
        id: ids.next('q'),
        loop_id: input.loopId,
        queue: input.queue,
        priority,
        dedupe_key: input.dedupeKey,
        status: 'queued',
        attempts: 0,
        not_before: notBefore,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('dedupe_key').where(livePredicate).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return toQueueEntry(inserted);

    const existing = await tx
      .selectFrom('queue_entries')
      .selectAll()
      .where('dedupe_key', '=', input.dedupeKey)
      .where('status', 'in', liveStatuses)
      .executeTakeFirst();
    if (!existing) return null;
    const urgent = existing.status === 'queued' && priority < existing.priority;
    const sooner = existing.status === 'queued' && notBefore < existing.not_before;
    if (!urgent && !sooner) return toQueueEntry(existing);
    const updated = await tx
      .updateTable('queue_entries')
      .set({
        ...(urgent ? { priority, queue: input.queue } : {}),
        ...(sooner ? { not_before: notBefore } : {}),
        updated_at: now,
      })
      .where('id', '=', existing.id)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    return toQueueEntry(updated ?? existing);
  };

  return {
    async enqueue(input) {
      // The live entry can finish between the conflicting insert and the read: try again then.
      for (let tries = 0; tries < 3; tries += 1) {
        const entry = await atomically(db, (tx) => enqueueOnce(tx, input));
        if (entry) return entry;
      }
      throw new LooperError('store_failed', `could not enqueue ${input.dedupeKey}`);
    },

    ...createQueueLeases(db, clock),
    getEntry,

    async listQueue(filter = {}) {
      let query = db
        .selectFrom('queue_entries')
        .selectAll()
        .where('status', 'in', [...(filter.status ?? liveStatuses)]);
      if (filter.loopId) query = query.where('loop_id', '=', filter.loopId);
      if (filter.queue) query = query.where('queue', '=', filter.queue);
      const rows = await query.orderBy('priority').orderBy('created_at').orderBy('id').execute();
      return rows.map(toQueueEntry);
    },

    async countQueue() {
      const rows = await db
        .selectFrom('queue_entries')
        .select(['status', (eb) => eb.fn.countAll<number | string>().as('count')])
        .where('status', 'in', liveStatuses)
        .groupBy('status')
        .execute();
      const count = (status: QueueStatus) =>
        Number(rows.find((r) => r.status === status)?.count ?? 0);
      return { queued: count('queued'), claimed: count('claimed') };
    },

    async deleteEntry(id) {
      await db.deleteFrom('queue_entries').where('id', '=', id).execute();
    },

    async deleteQueuedEntry(id) {
      const result = await db
        .deleteFrom('queue_entries')
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return affected(result) === 1;
    },
  };
}

// Leases on queue entries: claim (one atomic UPDATE … WHERE status='queued'), renew, complete,
// release and expiry. Two claimers, on one node or many, never hold the same entry.
import type { Clock } from '../domain/index.js';
import { affected, type Db } from './db-helpers.js';
import { claimOrder, type QueueEntryRecord, toQueueEntry } from './queue-entry.js';

export interface Claim {
  owner: string;
  leaseMs: number;
  now: number;
  limit: number;
  /** Loops this claimer is already running. */
  exclude?: readonly string[];
}

export interface Release {
  notBefore?: number;
  error?: string;
}

export interface QueueLeases {
  /**
   * Atomically claims up to `limit` queued entries with `not_before <= now`, by priority then FIFO.
   * Skips loops in `exclude` and loops that already have a claimed entry; at most one per loop.
   */
  claim(input: Claim): Promise<QueueEntryRecord[]>;
  /** Extends a lease this owner still holds; false if it was lost. */
  renewLease(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Marks a held entry done; false if the lease was lost. */
  complete(id: string, owner: string): Promise<boolean>;
  /** Returns a held entry to the queue (attempts + 1); false if the lease was lost. */
  release(id: string, owner: string, options?: Release): Promise<boolean>;
  /** Returns entries whose lease ran out to the queue (attempts + 1) and lists them. */
  expireLeases(now: number): Promise<QueueEntryRecord[]>;
}

export function createQueueLeases(db: Db, clock: Clock): QueueLeases {
  return {
    async claim(input) {
      if (input.limit <= 0) return [];
      // PostgreSQL will add FOR UPDATE SKIP LOCKED to the candidate select (SPEC §9); the status
      // check on the outer UPDATE is what keeps a row from being claimed twice on either dialect.
      let candidates = db
        .selectFrom('queue_entries as c')
        .select('c.id')
        .where('c.status', '=', 'queued')
        .where('c.not_before', '<=', input.now)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('queue_entries as held')
                .select('held.id')
                .whereRef('held.loop_id', '=', 'c.loop_id')
                .where('held.status', '=', 'claimed'),
            ),
          ),
        );
      if (input.exclude && input.exclude.length > 0) {
        candidates = candidates.where('c.loop_id', 'not in', [...input.exclude]);
      }
      const rows = await db
        .updateTable('queue_entries')
        .set({
          status: 'claimed',
          lease_owner: input.owner,
          lease_expires_at: input.now + input.leaseMs,
          updated_at: input.now,
        })
        .where('status', '=', 'queued')
        .where(
          'id',
          'in',
          candidates
            .orderBy('c.priority')
            .orderBy('c.created_at')
            .orderBy('c.id')
            .limit(input.limit),
        )
        .returningAll()
        .execute();
      const claimed = rows.map(toQueueEntry).sort(claimOrder);
      return keepOnePerLoop(db, claimed, input.owner);
    },

    async renewLease(id, owner, leaseMs) {
      const now = clock.now();
      const result = await db
        .updateTable('queue_entries')
        .set({ lease_expires_at: now + leaseMs, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'claimed')
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    async complete(id, owner) {
      const result = await db
        .updateTable('queue_entries')
        .set({ status: 'done', lease_expires_at: null, updated_at: clock.now() })
        .where('id', '=', id)
        .where('status', '=', 'claimed')
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    async release(id, owner, options = {}) {
      const now = clock.now();
      const result = await db
        .updateTable('queue_entries')
        .set((eb) => ({
          status: 'queued',
          lease_owner: null,
          lease_expires_at: null,
          attempts: eb('attempts', '+', 1),
          not_before: options.notBefore ?? now,
          ...(options.error !== undefined ? { last_error: options.error } : {}),
          updated_at: now,
        }))
        .where('id', '=', id)
        .where('status', '=', 'claimed')
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    async expireLeases(now) {
      const rows = await db
        .updateTable('queue_entries')
        .set((eb) => ({
          status: 'queued',
          lease_owner: null,
          lease_expires_at: null,
          attempts: eb('attempts', '+', 1),
          last_error: 'lease expired',
          updated_at: now,
        }))
        .where('status', '=', 'claimed')
        .where('lease_expires_at', '<=', now)
        .returningAll()
        .execute();
      return rows.map(toQueueEntry).sort(claimOrder);
    },
  };
}

/** Two queued entries of one loop can be claimed in one batch: hand the extras straight back. */
async function keepOnePerLoop(
  db: Db,
  claimed: QueueEntryRecord[],
  owner: string,
): Promise<QueueEntryRecord[]> {
  const seen = new Set<string>();
  const kept: QueueEntryRecord[] = [];
  const extra: string[] = [];
  for (const entry of claimed) {
    if (seen.has(entry.loopId)) extra.push(entry.id);
    else kept.push(entry);
    seen.add(entry.loopId);
  }
  if (extra.length > 0) {
    await db
      .updateTable('queue_entries')
      .set({ status: 'queued', lease_owner: null, lease_expires_at: null })
      .where('id', 'in', extra)
      .where('lease_owner', '=', owner)
      .execute();
  }
  return kept;
}

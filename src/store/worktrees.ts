// Worktrees: which checkout each loop works in, so cleanup and garbage collection can find them.
import type { Selectable } from 'kysely';
import type { Clock, LoopId } from '../domain/index.js';
import type { Db } from './db-helpers.js';
import type { WorktreesTable } from './schema.js';

export interface WorktreeRecord {
  loopId: LoopId;
  path: string;
  branch: string;
  repoPath: string;
  createdAt: number;
  removedAt: number | null;
}

export interface RecordWorktree {
  loopId: string;
  path: string;
  branch: string;
  repoPath: string;
}

export interface WorktreesRepo {
  /** Records (or re-records, clearing `removedAt`) the loop's worktree. */
  recordWorktree(input: RecordWorktree): Promise<WorktreeRecord>;
  getWorktree(loopId: string): Promise<WorktreeRecord | null>;
  markWorktreeRemoved(loopId: string): Promise<void>;
  /** `present: true` lists only worktrees not yet removed. */
  listWorktrees(filter?: { present?: boolean }): Promise<WorktreeRecord[]>;
}

function toRecord(row: Selectable<WorktreesTable>): WorktreeRecord {
  return {
    loopId: row.loop_id as LoopId,
    path: row.path,
    branch: row.branch,
    repoPath: row.repo_path,
    createdAt: row.created_at,
    removedAt: row.removed_at,
  };
}

export function createWorktreesRepo(db: Db, clock: Clock): WorktreesRepo {
  return {
    async recordWorktree(input) {
      const now = clock.now();
      const row = await db
        .insertInto('worktrees')
        .values({
          loop_id: input.loopId,
          path: input.path,
          branch: input.branch,
          repo_path: input.repoPath,
          created_at: now,
          removed_at: null,
        })
        .onConflict((oc) =>
          oc.column('loop_id').doUpdateSet({
            path: input.path,
            branch: input.branch,
            repo_path: input.repoPath,
            created_at: now,
            removed_at: null,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async getWorktree(loopId) {
      const row = await db
        .selectFrom('worktrees')
        .selectAll()
        .where('loop_id', '=', loopId)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async markWorktreeRemoved(loopId) {
      await db
        .updateTable('worktrees')
        .set({ removed_at: clock.now() })
        .where('loop_id', '=', loopId)
        .where('removed_at', 'is', null)
        .execute();
    },

    async listWorktrees(filter = {}) {
      let query = db.selectFrom('worktrees').selectAll();
      if (filter.present) query = query.where('removed_at', 'is', null);
      const rows = await query.orderBy('created_at').execute();
      return rows.map(toRecord);
    },
  };
}

// Nodes say when they stopped gracefully (`stopped_at`), so `GET /nodes` tells a stopped node from
// one that died without a word (its heartbeat just went stale).
import type { Kysely, Migration } from 'kysely';

export function nodeStoppedAtMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('nodes').addColumn('stopped_at', 'bigint').execute();
    },
  };
}

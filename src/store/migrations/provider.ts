// The migrations, listed statically: a folder-reading provider breaks once esbuild bundles us.
import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.js';
import { nodeStoppedAtMigration } from './0002-node-stopped-at.js';

export type SqlDialect = 'sqlite' | 'postgres';

/** Kysely's migration bookkeeping table (SPEC §5 calls it schema_migrations). */
export const migrationTableName = 'schema_migrations';
export const migrationLockTableName = 'schema_migrations_lock';

/** Names sort in the order they apply. Never edit a shipped migration; add the next one. */
export function listMigrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
    '0002-node-stopped-at': nodeStoppedAtMigration(),
  };
}

export class StaticMigrationProvider implements MigrationProvider {
  readonly #dialect: SqlDialect;

  constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    return listMigrations(this.#dialect);
  }
}

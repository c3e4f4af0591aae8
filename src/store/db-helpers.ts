// Small helpers every repository shares: JSON columns, affected-row counts, and running a
// multi-statement operation atomically whether or not the caller already holds a transaction.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/** JSON columns are text on both dialects. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Our own JSON, written by `toJson`: trusted, not re-validated. */
export function fromJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  return JSON.parse(text) as T;
}

export function affected(result: { numUpdatedRows: bigint } | { numDeletedRows: bigint }): number {
  return Number('numUpdatedRows' in result ? result.numUpdatedRows : result.numDeletedRows);
}

/** Runs `fn` in a transaction, or inside the caller's transaction when there already is one. */
export function atomically<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

/** A unique-constraint violation on SQLite (better-sqlite3) or PostgreSQL (pg). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505'
  );
}

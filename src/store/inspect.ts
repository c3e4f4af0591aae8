// A read-only look at the database for `looper doctor`: does it open, which migrations are applied
// and which are pending, and which projects it holds. Never creates or migrates anything.
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { listMigrations, migrationTableName } from './migrations/provider.js';
import { resolveSqlitePath } from './open-store.js';

export type StoreInspection =
  | {
      kind: 'sqlite';
      location: string;
      /** False when no database file exists yet (looperd creates it at its first start). */
      exists: boolean;
      applied: string[];
      /** Migrations this version has that the database lacks (looperd applies them at start). */
      pending: string[];
      /** Migrations the database has that this version does not know (a newer Looper wrote it). */
      unknown: string[];
      projects: { forge: string; repo: string | null; path: string | null }[];
    }
  | { kind: 'postgres'; location: string };

/** Throws when the file exists but cannot be read as a Looper database. */
export function inspectStore(options: { url: string; dataDir: string }): StoreInspection {
  const url = options.url.trim();
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return { kind: 'postgres', location: url.replace(/\/\/[^@/]*@/, '//') };
  }
  const location = resolveSqlitePath(url, options.dataDir);
  const known = Object.keys(listMigrations('sqlite')).sort();
  if (!fs.existsSync(location)) {
    return {
      kind: 'sqlite',
      location,
      exists: false,
      applied: [],
      pending: known,
      unknown: [],
      projects: [],
    };
  }
  const db = new BetterSqlite3(location, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const hasTable = (name: string) =>
      db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !==
      undefined;
    const applied = hasTable(migrationTableName)
      ? (
          db.prepare(`select name from ${migrationTableName} order by name`).all() as {
            name: string;
          }[]
        ).map((row) => row.name)
      : [];
    const projects = hasTable('projects')
      ? (db.prepare('select forge, repo, path from projects order by created_at').all() as {
          forge: string;
          repo: string | null;
          path: string | null;
        }[])
      : [];
    return {
      kind: 'sqlite',
      location,
      exists: true,
      applied,
      pending: known.filter((name) => !applied.includes(name)),
      unknown: applied.filter((name) => !known.includes(name)),
      projects,
    };
  } finally {
    db.close();
  }
}

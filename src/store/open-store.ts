// Opens the database (SQLite now, PostgreSQL with multi-node), runs the migrations and wires the
// repositories. The daemon opens one Store and hands it to everyone who reads or writes state.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { type Clock, type IdSource, LooperError } from '../domain/index.js';
import type { Db } from './db-helpers.js';
import { createEffectsRepo, type EffectsRepo } from './effects.js';
import { createEventsRepo, type EventsRepo } from './events.js';
import { createForgeFeedbackRepo, type ForgeFeedbackRepo } from './forge-feedback.js';
import { createForgeItemsRepo, type ForgeItemsRepo } from './forge-items.js';
import { createIdSource } from './ids.js';
import { createIntakeRepo, type IntakeRepo } from './intake.js';
import { createLoopsRepo, type LoopsRepo } from './loops.js';
import { createMetricsRepo, type MetricsRepo } from './metrics.js';
import {
  migrationLockTableName,
  migrationTableName,
  type SqlDialect,
  StaticMigrationProvider,
} from './migrations/provider.js';
import { createNodesRepo, type NodesRepo } from './nodes.js';
import { createProjectsRepo, type ProjectsRepo } from './projects.js';
import { createQueueRepo, type QueueRepo } from './queue.js';
import { createRunsRepo, type RunsRepo } from './runs.js';
import type { Database } from './schema.js';
import { createWorktreesRepo, type WorktreesRepo } from './worktrees.js';

export interface OpenStoreOptions {
  /** `storage.url`: '' or `sqlite://<path>` (relative to dataDir); `postgres://` is not yet supported. */
  url?: string;
  dataDir: string;
  clock: Clock;
  /** Default: time-sortable ids from `clock`. */
  ids?: IdSource;
}

/** The local forge's tables, used only by the local forge. */
export type ForgeDataRepo = ForgeItemsRepo & ForgeFeedbackRepo;

/** Every repository, bound to one connection or one transaction. */
export interface StoreRepos {
  projects: ProjectsRepo;
  loops: LoopsRepo;
  runs: RunsRepo;
  queue: QueueRepo;
  events: EventsRepo;
  worktrees: WorktreesRepo;
  intake: IntakeRepo;
  effects: EffectsRepo;
  forgeData: ForgeDataRepo;
  nodes: NodesRepo;
  /** Aggregates for `GET /metrics`. */
  metrics: MetricsRepo;
}

export interface Store extends StoreRepos {
  /** The typed Kysely handle, for queries no repository offers yet. */
  readonly db: Db;
  readonly dialect: SqlDialect;
  /** Where the data lives (a file path for SQLite). */
  readonly location: string;
  /** Runs `fn` in one transaction with repositories bound to it; rolls back if it throws. */
  transaction<T>(fn: (tx: StoreRepos) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function resolveSqlitePath(url: string, dataDir: string): string {
  if (url === '') return path.join(dataDir, 'looper.db');
  const file = url.slice('sqlite://'.length);
  if (file === '') throw new LooperError('config_invalid', 'storage.url sqlite:// needs a path');
  return path.resolve(dataDir, file);
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = (options.url ?? '').trim();
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new LooperError(
      'config_invalid',
      'PostgreSQL storage arrives with multi-node support; leave storage.url empty or use sqlite://<path> for now',
    );
  }
  if (url !== '' && !url.startsWith('sqlite://')) {
    throw new LooperError(
      'config_invalid',
      `storage.url must be empty, sqlite://<path> or postgres://…, got ${url.split(':')[0]}:…`,
    );
  }
  const file = resolveSqlitePath(url, options.dataDir);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: openSqlite(file) }),
  });
  try {
    await migrate(db, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const ids = options.ids ?? createIdSource(options.clock);
  const bind = (handle: Db): StoreRepos => createRepos(handle, options.clock, ids);
  return {
    db,
    dialect: 'sqlite',
    location: file,
    ...bind(db),
    transaction: (fn) => db.transaction().execute((trx) => fn(bind(trx))),
    close: () => db.destroy(),
  };
}

function openSqlite(file: string): BetterSqlite3.Database {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    return sqlite;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LooperError('store_failed', `cannot open the database ${file}: ${reason}`, {
      cause: error,
    });
  }
}

async function migrate(db: Db, dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(dialect),
    migrationTableName,
    migrationLockTableName,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(setup)';
  const reason = error instanceof Error ? error.message : String(error);
  throw new LooperError('store_failed', `database migration ${failed} failed: ${reason}`, {
    cause: error,
  });
}

function createRepos(db: Db, clock: Clock, ids: IdSource): StoreRepos {
  return {
    projects: createProjectsRepo(db, clock, ids),
    loops: createLoopsRepo(db, clock, ids),
    runs: createRunsRepo(db, clock, ids),
    queue: createQueueRepo(db, clock, ids),
    events: createEventsRepo(db, clock),
    worktrees: createWorktreesRepo(db, clock),
    intake: createIntakeRepo(db, clock),
    effects: createEffectsRepo(db, clock),
    forgeData: { ...createForgeItemsRepo(db, clock), ...createForgeFeedbackRepo(db, clock) },
    nodes: createNodesRepo(db, clock),
    metrics: createMetricsRepo(db),
  };
}

// First schema: every table of SPEC §5 plus the local forge's tables. Written only with Kysely's
// schema builder so the same migration runs on SQLite and (later) PostgreSQL.
import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  sql,
} from 'kysely';
import type { SqlDialect } from './provider.js';

/** Epoch milliseconds overflow a 32-bit integer: `bigint` (INTEGER affinity on SQLite). */
const time = 'bigint';
/** `real` is 4 bytes on PostgreSQL; money and usage need 8. */
const float = 'double precision';

type Table<N extends string> = CreateTableBuilder<N, never>;

/**
 * A monotonic integer primary key. SQLite: `integer primary key autoincrement` (ids never reused,
 * always increasing). PostgreSQL: a `bigint` identity; note that on PG ids are handed out at insert
 * and commits may land out of order, so a reader following `events.id` as a cursor there will
 * need a commit-order guard (e.g. a transaction-scoped advisory lock around event inserts).
 */
function serialId<N extends string>(table: Table<N>, dialect: SqlDialect): Table<N> {
  if (dialect === 'postgres') {
    return table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
  }
  return table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

export function initialMigration(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await createCoreTables(db);
      await createWorkTables(db, dialect);
      await createForgeTables(db, dialect);
      await createIndexes(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      const tables = [
        'forge_statuses',
        'forge_reviews',
        'forge_comments',
        'forge_prs',
        'forge_issues',
        'forge_counters',
        'forge_cache',
        'webhook_deliveries',
        'nodes',
        'effects',
        'worktrees',
        'events',
        'queue_entries',
        'runs',
        'loops',
        'projects',
      ];
      for (const table of tables) await db.schema.dropTable(table).ifExists().execute();
    },
  };
}

async function createCoreTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', notNull)
    .addColumn('forge', 'text', notNull)
    .addColumn('repo', 'text')
    .addColumn('path', 'text')
    .addColumn('base_branch', 'text', notNull)
    .addColumn('checks', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  await db.schema
    .createTable('loops')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('kind', 'text', notNull)
    .addColumn('number', 'integer', notNull)
    .addColumn('title', 'text', notNull)
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('stage', 'text', notNull)
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', notNull)
    .addColumn('branch', 'text')
    .addColumn('pr_number', 'integer')
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('pending_effects', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cost_usd', float, (c) => c.notNull().defaultTo(0))
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cached_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addColumn('finished_at', time)
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loop_id', 'text', (c) => c.notNull().references('loops.id').onDelete('cascade'))
    .addColumn('role', 'text', notNull)
    .addColumn('vendor', 'text', notNull)
    .addColumn('model', 'text')
    .addColumn('stage', 'text', notNull)
    .addColumn('attempt', 'integer', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('pid', 'integer')
    .addColumn('pid_start_time', 'text')
    .addColumn('node_id', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('signal', 'text')
    .addColumn('error_kind', 'text')
    .addColumn('error_message', 'text')
    .addColumn('summary', 'text')
    .addColumn('result', 'text')
    .addColumn('session_id', 'text')
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cached_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', float)
    .addColumn('log_path', 'text', notNull)
    .addColumn('started_at', time, notNull)
    .addColumn('finished_at', time)
    .addColumn('duration_ms', time)
    .execute();
}

async function createWorkTables(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('queue_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loop_id', 'text', (c) => c.notNull().references('loops.id').onDelete('cascade'))
    .addColumn('queue', 'text', notNull)
    .addColumn('priority', 'integer', notNull)
    .addColumn('dedupe_key', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', time)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_before', time, (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  // Events outlive nothing and reference nothing: an append-only log read forward by id.
  await serialId(db.schema.createTable('events'), dialect)
    .addColumn('at', time, notNull)
    .addColumn('loop_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('type', 'text', notNull)
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();

  await db.schema
    .createTable('worktrees')
    .addColumn('loop_id', 'text', (c) => c.primaryKey().references('loops.id').onDelete('cascade'))
    .addColumn('path', 'text', notNull)
    .addColumn('branch', 'text', notNull)
    .addColumn('repo_path', 'text', notNull)
    .addColumn('created_at', time, notNull)
    .addColumn('removed_at', time)
    .execute();

  await db.schema
    .createTable('effects')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('loop_id', 'text', (c) => c.notNull().references('loops.id').onDelete('cascade'))
    .addColumn('status', 'text', notNull)
    .addColumn('result', 'text')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  await db.schema
    .createTable('nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', notNull)
    .addColumn('version', 'text', notNull)
    .addColumn('capacity', 'integer', notNull)
    .addColumn('heartbeat_at', time, notNull)
    .addColumn('started_at', time, notNull)
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', time, notNull)
    .addColumn('event', 'text', notNull)
    .addColumn('action', 'text')
    .execute();

  await db.schema
    .createTable('forge_cache')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('etag', 'text')
    .addColumn('body', 'text', notNull)
    .addColumn('updated_at', time, notNull)
    .execute();
}

async function createForgeTables(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const project = (c: ColumnDefinitionBuilder) =>
    c.notNull().references('projects.id').onDelete('cascade');

  await db.schema
    .createTable('forge_counters')
    .addColumn('project_id', 'text', (c) =>
      c.primaryKey().references('projects.id').onDelete('cascade'),
    )
    .addColumn('last_number', 'integer', notNull)
    .execute();

  await db.schema
    .createTable('forge_issues')
    .addColumn('project_id', 'text', project)
    .addColumn('number', 'integer', notNull)
    .addColumn('title', 'text', notNull)
    .addColumn('body', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addPrimaryKeyConstraint('forge_issues_pk', ['project_id', 'number'])
    .execute();

  await db.schema
    .createTable('forge_prs')
    .addColumn('project_id', 'text', project)
    .addColumn('number', 'integer', notNull)
    .addColumn('title', 'text', notNull)
    .addColumn('body', 'text', notNull)
    .addColumn('head_branch', 'text', notNull)
    .addColumn('base_branch', 'text', notNull)
    .addColumn('head_sha', 'text')
    .addColumn('state', 'text', notNull)
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addPrimaryKeyConstraint('forge_prs_pk', ['project_id', 'number'])
    .execute();

  await serialId(db.schema.createTable('forge_comments'), dialect)
    .addColumn('project_id', 'text', project)
    .addColumn('number', 'integer', notNull)
    .addColumn('key', 'text')
    .addColumn('author', 'text', notNull)
    .addColumn('body', 'text', notNull)
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  await serialId(db.schema.createTable('forge_reviews'), dialect)
    .addColumn('project_id', 'text', project)
    .addColumn('number', 'integer', notNull)
    .addColumn('head_sha', 'text', notNull)
    .addColumn('verdict', 'text', notNull)
    .addColumn('body', 'text', notNull)
    .addColumn('comments', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('key', 'text', notNull)
    .addColumn('author', 'text', notNull)
    .addColumn('created_at', time, notNull)
    .execute();

  await db.schema
    .createTable('forge_statuses')
    .addColumn('project_id', 'text', project)
    .addColumn('sha', 'text', notNull)
    .addColumn('context', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('description', 'text', notNull)
    .addColumn('target_url', 'text')
    .addColumn('updated_at', time, notNull)
    .addPrimaryKeyConstraint('forge_statuses_pk', ['project_id', 'sha', 'context'])
    .execute();
}

async function createIndexes(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s.createIndex('projects_repo_uq').unique().on('projects').column('repo').execute();
  await s.createIndex('projects_path_uq').unique().on('projects').column('path').execute();

  await s
    .createIndex('loops_target_idx')
    .on('loops')
    .columns(['project_id', 'kind', 'number'])
    .execute();
  await s.createIndex('loops_stage_idx').on('loops').column('stage').execute();
  await s.createIndex('loops_created_idx').on('loops').columns(['created_at', 'id']).execute();

  await s.createIndex('runs_loop_idx').on('runs').columns(['loop_id', 'started_at']).execute();
  await s.createIndex('runs_status_idx').on('runs').column('status').execute();

  // At most one live (queued or claimed) entry per dedupe key; partial indexes work on both.
  await s
    .createIndex('queue_live_dedupe_uq')
    .unique()
    .on('queue_entries')
    .column('dedupe_key')
    .where(sql.ref('status'), 'in', ['queued', 'claimed'])
    .execute();
  await s
    .createIndex('queue_claim_idx')
    .on('queue_entries')
    .columns(['status', 'priority', 'created_at', 'id'])
    .execute();
  await s.createIndex('queue_loop_idx').on('queue_entries').column('loop_id').execute();
  await s.createIndex('queue_lease_idx').on('queue_entries').column('lease_expires_at').execute();

  await s.createIndex('events_loop_idx').on('events').columns(['loop_id', 'id']).execute();
  await s.createIndex('effects_loop_idx').on('effects').column('loop_id').execute();
  await s.createIndex('worktrees_removed_idx').on('worktrees').column('removed_at').execute();

  // One open (draft or open) local PR per head branch.
  await s
    .createIndex('forge_prs_live_head_uq')
    .unique()
    .on('forge_prs')
    .columns(['project_id', 'head_branch'])
    .where(sql.ref('state'), 'in', ['draft', 'open'])
    .execute();
  await s
    .createIndex('forge_prs_head_idx')
    .on('forge_prs')
    .columns(['project_id', 'head_branch'])
    .execute();
  await s
    .createIndex('forge_comments_key_uq')
    .unique()
    .on('forge_comments')
    .columns(['project_id', 'number', 'key'])
    .execute();
  await s
    .createIndex('forge_reviews_key_uq')
    .unique()
    .on('forge_reviews')
    .columns(['project_id', 'number', 'key'])
    .execute();
}

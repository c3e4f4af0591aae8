// The store's front door: open a Store (SQLite now, PostgreSQL with multi-node) and use its
// repositories. Records are camelCase with JSON columns parsed; times are epoch milliseconds.
//
//   const store = await openStore({ dataDir, clock });
//   const loop = await store.loops.createLoop({ projectId, kind: 'issue', number: 7, title });
//   await store.transaction(async (tx) => { await tx.loops.saveLoopState(…); await tx.events.appendEvent(…); });
//   await store.close();

export type { Db } from './db-helpers.js';
export type { EffectRecord, EffectsRepo } from './effects.js';
export { effectKey } from './effects.js';
export type { AppendEvent, EventRecord, EventsRepo, ListEvents } from './events.js';
export type {
  ForgeFeedbackRepo,
  LocalCommentRecord,
  LocalReviewComment,
  LocalReviewRecord,
  LocalStatusRecord,
} from './forge-feedback.js';
export type {
  ForgeItemsRepo,
  InsertLocalPullRequest,
  LocalIssueRecord,
  LocalPullRequestRecord,
  PatchLocalPullRequest,
} from './forge-items.js';
export { createIdSource } from './ids.js';
export type { StoreInspection } from './inspect.js';
export { inspectStore } from './inspect.js';
export type { CachedResponse, IntakeRepo } from './intake.js';
export type {
  CreateLoop,
  ListLoops,
  LoopOptions,
  LoopRecord,
  LoopsRepo,
  LoopUsage,
  SaveLoopState,
} from './loops.js';
export type { MetricsRepo, QueueCount, RunCount, UsageTotals } from './metrics.js';
export type { SqlDialect } from './migrations/provider.js';
export { listMigrations, migrationTableName } from './migrations/provider.js';
export type { NodeRecord, NodesRepo, RegisterNode } from './nodes.js';
export type { ForgeDataRepo, OpenStoreOptions, Store, StoreRepos } from './open-store.js';
export { openStore, resolveSqlitePath } from './open-store.js';
export type { CreateProject, ProjectRecord, ProjectsRepo, UpdateProject } from './projects.js';
export type { Enqueue, QueueRepo } from './queue.js';
export type { QueueEntryRecord } from './queue-entry.js';
export type { Claim, QueueLeases, Release } from './queue-leases.js';
export type { CreateRun, FinishRun, RunRecord, RunsRepo } from './runs.js';
export type {
  Database,
  EffectStatus,
  ForgeIssueState,
  ForgeKind,
  ForgePullRequestState,
  ForgeReviewVerdict,
  ForgeStatusState,
  LoopKind,
  QueueStatus,
} from './schema.js';
export type { RecordWorktree, WorktreeRecord, WorktreesRepo } from './worktrees.js';

// The database as Kysely sees it: one interface per table, snake_case columns, times in epoch
// milliseconds, JSON columns as text. Repositories map these rows to camelCase records.
import type { Generated } from 'kysely';
import type { QueueName, Role, RunStatus, Stage, VendorName } from '../domain/index.js';

export type ForgeKind = 'local' | 'github';
export type LoopKind = 'issue' | 'review' | 'fix';
export type QueueStatus = 'queued' | 'claimed' | 'done';
export type EffectStatus = 'started' | 'done';
export type ForgeIssueState = 'open' | 'closed';
export type ForgePullRequestState = 'draft' | 'open' | 'merged' | 'closed';
export type ForgeStatusState = 'pending' | 'success' | 'failure' | 'error';
export type ForgeReviewVerdict = 'comment' | 'request_changes' | 'approve';

export interface ProjectsTable {
  id: string;
  name: string;
  forge: ForgeKind;
  repo: string | null;
  path: string | null;
  base_branch: string;
  /** JSON string[] */
  checks: string;
  created_at: number;
  updated_at: number;
}

export interface LoopsTable {
  id: string;
  project_id: string;
  kind: LoopKind;
  number: number;
  title: string;
  body: string;
  /** Derived from `state.stage` on every save. */
  stage: Stage;
  /** 0/1, derived from `state.paused`. */
  paused: number;
  /** JSON LoopState */
  state: string;
  branch: string | null;
  pr_number: number | null;
  /** JSON LoopOptions */
  options: string;
  /** JSON LoopEffect[] */
  pending_effects: string;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  version: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface RunsTable {
  id: string;
  loop_id: string;
  role: Role;
  vendor: VendorName;
  model: string | null;
  stage: Stage;
  attempt: number;
  status: RunStatus;
  pid: number | null;
  pid_start_time: string | null;
  node_id: string | null;
  exit_code: number | null;
  signal: string | null;
  error_kind: string | null;
  error_message: string | null;
  summary: string | null;
  /** JSON, the role's parsed result */
  result: string | null;
  session_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number | null;
  log_path: string;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
}

export interface QueueEntriesTable {
  id: string;
  loop_id: string;
  queue: QueueName;
  priority: number;
  dedupe_key: string;
  status: QueueStatus;
  lease_owner: string | null;
  lease_expires_at: number | null;
  attempts: number;
  not_before: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  at: number;
  loop_id: string | null;
  run_id: string | null;
  type: string;
  /** JSON object */
  data: string;
}

export interface WorktreesTable {
  loop_id: string;
  path: string;
  branch: string;
  repo_path: string;
  created_at: number;
  removed_at: number | null;
}

export interface EffectsTable {
  key: string;
  loop_id: string;
  status: EffectStatus;
  /** JSON */
  result: string | null;
  created_at: number;
  updated_at: number;
}

export interface NodesTable {
  id: string;
  name: string;
  version: string;
  capacity: number;
  heartbeat_at: number;
  started_at: number;
  /** Set at a graceful stop; null while the node runs (or after it died without stopping). */
  stopped_at: number | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  received_at: number;
  event: string;
  action: string | null;
}

export interface ForgeCacheTable {
  key: string;
  etag: string | null;
  body: string;
  updated_at: number;
}

/** Local forge: the last issue/PR number handed out per project (issues and PRs share it). */
export interface ForgeCountersTable {
  project_id: string;
  last_number: number;
}

export interface ForgeIssuesTable {
  project_id: string;
  number: number;
  title: string;
  body: string;
  state: ForgeIssueState;
  /** JSON string[] */
  labels: string;
  created_at: number;
  updated_at: number;
}

export interface ForgePrsTable {
  project_id: string;
  number: number;
  title: string;
  body: string;
  head_branch: string;
  base_branch: string;
  head_sha: string | null;
  state: ForgePullRequestState;
  /** JSON string[] */
  labels: string;
  created_at: number;
  updated_at: number;
}

export interface ForgeCommentsTable {
  id: Generated<number>;
  project_id: string;
  number: number;
  key: string | null;
  author: string;
  body: string;
  created_at: number;
  updated_at: number;
}

export interface ForgeReviewsTable {
  id: Generated<number>;
  project_id: string;
  number: number;
  head_sha: string;
  verdict: ForgeReviewVerdict;
  body: string;
  /** JSON {path,line,body}[] */
  comments: string;
  key: string;
  author: string;
  created_at: number;
}

export interface ForgeStatusesTable {
  project_id: string;
  sha: string;
  context: string;
  state: ForgeStatusState;
  description: string;
  target_url: string | null;
  updated_at: number;
}

export interface Database {
  projects: ProjectsTable;
  loops: LoopsTable;
  runs: RunsTable;
  queue_entries: QueueEntriesTable;
  events: EventsTable;
  worktrees: WorktreesTable;
  effects: EffectsTable;
  nodes: NodesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  forge_cache: ForgeCacheTable;
  forge_counters: ForgeCountersTable;
  forge_issues: ForgeIssuesTable;
  forge_prs: ForgePrsTable;
  forge_comments: ForgeCommentsTable;
  forge_reviews: ForgeReviewsTable;
  forge_statuses: ForgeStatusesTable;
}

// The response shapes of `/api/v1` as zod schemas, only to describe them in `GET /openapi.json`.
// Each is typed against the view it describes, so a view that gains a field fails to compile here.
import { z } from 'zod';
import { queueNames, roles, runStatuses, stages } from '../domain/index.js';
import type { WorktreeCleanupView, WorktreeView } from './control-dto.js';
import type { EventView, HealthView, LoopView, RunView, ShutdownView, StatusView } from './dto.js';
import {
  ConfigPatchViewDoc,
  ConfigViewDoc,
  ProjectRemovedViewDoc,
  ProjectViewDoc,
  WebhookDisableViewDoc,
  WebhookEnableViewDoc,
  WebhookStatusViewDoc,
} from './openapi-admin-schemas.js';
import type { NodeView } from './ops-dto.js';
import type { FailureView, ProjectRefView, QueueEntryView, QueueRemovedView } from './queue-dto.js';
import type { WebhookOutcome } from './webhooks.js';

const time = z.string().meta({ format: 'date-time' });
const stage = z.enum(stages);
const loopKind = z.enum(['issue', 'review', 'fix']);
const tokens = z.object({ input: z.number(), output: z.number(), cached: z.number() });

export const HealthViewDoc: z.ZodType<HealthView> = z.object({
  status: z.literal('ok'),
  version: z.string(),
});

export const StatusViewDoc: z.ZodType<StatusView> = z.object({
  version: z.string(),
  pid: z.number().int(),
  node: z.string(),
  data_dir: z.string(),
  storage: z.string(),
  started_at: time,
  uptime_s: z.number(),
  loops: z.object({ active: z.number().int(), by_stage: z.partialRecord(stage, z.number().int()) }),
  queue: z.object({ queued: z.number().int(), claimed: z.number().int() }),
  runs: z.object({ running: z.number().int() }),
  limits: z.object({ max_concurrent_loops: z.number().int() }),
});

export const RunViewDoc: z.ZodType<RunView> = z.object({
  id: z.string(),
  loop_id: z.string(),
  role: z.enum(roles),
  vendor: z.string(),
  model: z.string().nullable(),
  stage,
  attempt: z.number().int(),
  status: z.enum(runStatuses),
  exit_code: z.number().int().nullable(),
  error_kind: z.string().nullable(),
  error_message: z.string().nullable(),
  summary: z.string().nullable(),
  started_at: time,
  finished_at: time.nullable(),
  duration_ms: z.number().nullable(),
  tokens,
  cost_usd: z.number().nullable(),
  session_id: z.string().nullable(),
  log_path: z.string(),
});

const projectRef = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string().nullable(),
  repo: z.string().nullable(),
}) satisfies z.ZodType<ProjectRefView>;

export const LoopViewDoc: z.ZodType<LoopView> = z.object({
  id: z.string(),
  project: projectRef,
  kind: loopKind,
  number: z.number().int(),
  title: z.string(),
  stage,
  paused: z.boolean(),
  reason: z.string().nullable(),
  branch: z.string().nullable(),
  pr: z.object({ number: z.number().int(), url: z.string(), state: z.string() }).nullable(),
  rounds: z.object({
    plan: z.number().int(),
    local_fix: z.number().int(),
    fix: z.number().int(),
  }),
  attempt: z.number().int(),
  vendor: z.string(),
  model: z.string().nullable(),
  checks: z.array(z.string()),
  cost_usd: z.number(),
  tokens,
  created_at: time,
  updated_at: time,
  finished_at: time.nullable(),
  runs: z.array(RunViewDoc).optional().meta({ description: 'On `GET /loops/:id` and writes.' }),
});

export const EventViewDoc: z.ZodType<EventView> = z.object({
  id: z.number().int(),
  at: time,
  type: z.string(),
  loop_id: z.string().nullable(),
  run_id: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const ShutdownViewDoc: z.ZodType<ShutdownView> = z.object({ stopping: z.literal(true) });

export const WorktreeViewDoc: z.ZodType<WorktreeView> = z.object({
  loop_id: z.string(),
  path: z.string(),
  branch: z.string(),
  repo_path: z.string(),
  stage: stage.nullable(),
  dirty: z.boolean().nullable(),
  disk_bytes: z.number().int(),
  created_at: time,
  finished_at: time.nullable(),
});

export const WorktreeCleanupViewDoc: z.ZodType<WorktreeCleanupView> = z.object({
  removed: z.array(
    z.object({ loop_id: z.string(), path: z.string(), disk_bytes: z.number().int() }),
  ),
  kept: z.array(
    z.object({
      loop_id: z.string(),
      path: z.string(),
      reason: z.enum(['active', 'recent', 'dirty', 'error']),
      message: z.string(),
    }),
  ),
  retention_hours: z.number(),
});

export const QueueEntryViewDoc: z.ZodType<QueueEntryView> = z.object({
  id: z.string(),
  loop_id: z.string(),
  project: projectRef,
  number: z.number().int(),
  title: z.string(),
  stage,
  paused: z.boolean(),
  queue: z.enum(queueNames),
  state: z.enum(['queued', 'claimed']),
  owner: z.string().nullable(),
  lease_expires_at: time.nullable(),
  not_before: time,
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  enqueued_at: time,
});

export const QueueRemovedViewDoc: z.ZodType<QueueRemovedView> = z.object({
  entry: QueueEntryViewDoc,
  loop_id: z.string(),
  cancelled: z.boolean(),
  stage,
  reason: z.string().nullable(),
});

export const FailureViewDoc: z.ZodType<FailureView> = z.object({
  loop_id: z.string(),
  project: projectRef,
  kind: loopKind,
  number: z.number().int(),
  title: z.string(),
  stage,
  stopped_at: stage.nullable(),
  reason: z.string().nullable(),
  finished_at: time.nullable(),
  last_failure: z
    .object({
      event_id: z.number().int(),
      at: time,
      stage: z.string().nullable(),
      attempt: z.number().int().nullable(),
      failure_class: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .nullable(),
});

export const NodeViewDoc: z.ZodType<NodeView> = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  capacity: z.number().int(),
  started_at: time,
  heartbeat_at: time,
  stopped_at: time.nullable(),
  alive: z.boolean(),
  current: z.boolean(),
});

export const WebhookOutcomeDoc: z.ZodType<WebhookOutcome> = z.object({
  accepted: z.boolean(),
  reason: z.string(),
});

/** The schemas `components.schemas` lists, by name; operations refer to them with `$ref`. */
export const componentSchemas = {
  HealthView: HealthViewDoc,
  StatusView: StatusViewDoc,
  LoopView: LoopViewDoc,
  RunView: RunViewDoc,
  EventView: EventViewDoc,
  ShutdownView: ShutdownViewDoc,
  WorktreeView: WorktreeViewDoc,
  WorktreeCleanupView: WorktreeCleanupViewDoc,
  ProjectView: ProjectViewDoc,
  ProjectRemovedView: ProjectRemovedViewDoc,
  WebhookStatusView: WebhookStatusViewDoc,
  WebhookEnableView: WebhookEnableViewDoc,
  WebhookDisableView: WebhookDisableViewDoc,
  QueueEntryView: QueueEntryViewDoc,
  QueueRemovedView: QueueRemovedViewDoc,
  FailureView: FailureViewDoc,
  NodeView: NodeViewDoc,
  ConfigView: ConfigViewDoc,
  ConfigPatchView: ConfigPatchViewDoc,
  WebhookOutcome: WebhookOutcomeDoc,
} as const;
export type ComponentName = keyof typeof componentSchemas;

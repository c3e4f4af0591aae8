// The response shapes of the project, webhook and config endpoints, for `GET /openapi.json`; typed
// against their views like the rest of openapi-schemas.ts.
import { z } from 'zod';
import type { ConfigPatchView, ConfigView } from './config-dto.js';
import type {
  ProjectRemovedView,
  ProjectView,
  WebhookDisableView,
  WebhookEnableView,
  WebhookForwardView,
  WebhookHookView,
  WebhookManualView,
  WebhookSecretView,
  WebhookStatusView,
} from './project-dto.js';

const time = z.string().meta({ format: 'date-time' });

export const ProjectViewDoc: z.ZodType<ProjectView> = z.object({
  id: z.string(),
  name: z.string(),
  forge: z.enum(['local', 'github']),
  repo: z.string().nullable(),
  path: z.string().nullable(),
  base_branch: z.string(),
  checks: z.array(z.string()),
  source: z.enum(['config', 'api']),
  active_loops: z.number().int(),
  created_at: time,
  updated_at: time,
});

export const ProjectRemovedViewDoc: z.ZodType<ProjectRemovedView> = z.object({
  project: ProjectViewDoc,
  loops_removed: z.number().int(),
  worktrees_kept: z.array(z.string()),
});

const webhookSecret: z.ZodType<WebhookSecretView> = z.object({
  source: z.enum(['config', 'file', 'none']),
  file: z.string(),
});

const webhookHook: z.ZodType<WebhookHookView> = z.object({
  id: z.number().int(),
  url: z.string(),
  active: z.boolean(),
  events: z.array(z.string()),
  last_response: z
    .object({
      code: z.number().int().nullable(),
      status: z.string().nullable(),
      message: z.string().nullable(),
    })
    .nullable(),
  created_at: time.nullable(),
});

const webhookForward: z.ZodType<WebhookForwardView> = z.object({
  state: z.enum(['running', 'restarting', 'stopped', 'unavailable']),
  pid: z.number().int().nullable(),
  url: z.string(),
  started_at: time.nullable(),
  restarts: z.number().int(),
  last_exit: z
    .object({
      exit_code: z.number().int().nullable(),
      signal: z.string().nullable(),
      at: time,
      stderr_tail: z.string(),
    })
    .nullable(),
  restart_delay_ms: z.number().nullable(),
  reason: z.string().nullable(),
});

const webhookManual: z.ZodType<WebhookManualView> = z.object({
  reason: z.string(),
  payload_url: z.string().nullable(),
  content_type: z.literal('application/json'),
  events: z.array(z.string()),
  secret: webhookSecret,
});

export const WebhookStatusViewDoc: z.ZodType<WebhookStatusView> = z.object({
  repo: z.string(),
  secret: webhookSecret,
  hooks: z.array(webhookHook),
  error: z.string().nullable(),
  forward: webhookForward.nullable(),
});

export const WebhookEnableViewDoc: z.ZodType<WebhookEnableView> = z.object({
  repo: z.string(),
  created: z.boolean(),
  hook: webhookHook.nullable(),
  secret: webhookSecret,
  manual: webhookManual.nullable(),
  forward: webhookForward.nullable(),
});

export const WebhookDisableViewDoc: z.ZodType<WebhookDisableView> = z.object({
  repo: z.string(),
  removed: z.array(webhookHook),
  forward_stopped: z.boolean(),
});

const configValues = z
  .record(z.string(), z.unknown())
  .meta({ description: 'The configuration, kebab-case keys as in the file, secrets masked.' });

export const ConfigViewDoc: z.ZodType<ConfigView> = z.object({
  file: z.string(),
  file_exists: z.boolean(),
  config: configValues,
  restart_required: z.boolean(),
});

export const ConfigPatchViewDoc: z.ZodType<ConfigPatchView> = z.object({
  file: z.string(),
  created: z.boolean(),
  changed: z.array(z.object({ key: z.string(), value: z.unknown(), secret: z.boolean() })),
  config: configValues,
  restart_required: z.literal(true),
  notes: z.array(z.string()),
});

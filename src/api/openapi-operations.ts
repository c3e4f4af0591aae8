// Every operation of Looper's HTTP API, as data: path (Hono syntax), the zod schemas its input is
// validated with, its answer, who may call it and the errors it names. `GET /openapi.json` is built
// from this table, and a test holds it equal to the routes the app registers.
import { z } from 'zod';
import type { ErrorCode } from '../domain/index.js';
import { PatchConfigRequest } from './config-dto.js';
import { CleanupWorktreesRequest, RetryLoopRequest } from './control-dto.js';
import {
  CreateLoopRequest,
  EventStreamQuery,
  ListEventsQuery,
  ListLoopsQuery,
  RunLogQuery,
} from './dto.js';
import type { ComponentName } from './openapi-schemas.js';
import { CreateProjectRequest, EnableWebhookRequest, WebhookQuery } from './project-dto.js';
import { ListFailuresQuery, ListQueueQuery, RemoveQueueEntryQuery } from './queue-dto.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/**
 * `write`: needs the bearer token. `read`: needs it only when looperd is bound beyond loopback.
 * `open`: never. `signature`: GitHub's HMAC signature instead of the token and the Host check.
 */
export type Access = 'write' | 'read' | 'open' | 'signature';

export type ResponseSpec =
  | { kind: 'json'; data: ComponentName | { arrayOf: ComponentName } | z.ZodType; status?: number }
  | { kind: 'text'; contentType: string; description: string }
  | { kind: 'sse' }
  | { kind: 'document' };

export interface OperationSpec {
  method: HttpMethod;
  /** Hono syntax (`/api/v1/loops/:id`); the document writes `{id}`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: ResponseSpec;
  /** Codes beyond the ones every operation of its access can answer with. */
  errors?: readonly ErrorCode[];
}

const v1 = '/api/v1';
const loop = { arrayOf: 'LoopView' } as const;

function loopAction(action: string, summary: string): OperationSpec {
  return {
    method: 'post',
    path: `${v1}/loops/:id/${action}`,
    summary,
    tag: 'loops',
    access: 'write',
    response: { kind: 'json', data: 'LoopView' },
    errors: ['not_found', 'invalid_transition'],
  };
}

export const operations: readonly OperationSpec[] = [
  {
    method: 'get',
    path: `${v1}/healthz`,
    summary: 'Liveness probe (never needs the token)',
    tag: 'daemon',
    access: 'open',
    response: { kind: 'json', data: 'HealthView' },
  },
  {
    method: 'get',
    path: `${v1}/status`,
    summary: 'Daemon status: version, pid, node, data dir, loop and queue counts',
    tag: 'daemon',
    access: 'read',
    response: { kind: 'json', data: 'StatusView' },
  },
  {
    method: 'get',
    path: `${v1}/metrics`,
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    tag: 'daemon',
    access: 'read',
    response: {
      kind: 'text',
      contentType: 'text/plain; version=0.0.4',
      description: 'Loops by stage, queue entries, runs, cost, tokens, process metrics.',
    },
  },
  {
    method: 'get',
    path: `${v1}/nodes`,
    summary: 'The nodes (daemons) sharing this store, with their heartbeat',
    tag: 'daemon',
    access: 'read',
    response: { kind: 'json', data: { arrayOf: 'NodeView' } },
  },
  {
    method: 'get',
    path: `${v1}/openapi.json`,
    summary: 'This document',
    tag: 'daemon',
    access: 'read',
    response: { kind: 'document' },
  },
  {
    method: 'get',
    path: `${v1}/config`,
    summary: 'The running configuration (secrets masked) and its file',
    tag: 'daemon',
    access: 'read',
    response: { kind: 'json', data: 'ConfigView' },
  },
  {
    method: 'patch',
    path: `${v1}/config`,
    summary:
      'Change config keys: a JSON merge patch (null removes a key), validated, written to the ' +
      'config file and applied at the next start',
    tag: 'daemon',
    access: 'write',
    body: PatchConfigRequest,
    response: { kind: 'json', data: 'ConfigPatchView' },
    errors: ['bad_request', 'validation_failed', 'config_invalid'],
  },
  {
    method: 'post',
    path: `${v1}/shutdown`,
    summary: 'Stop the daemon gracefully (answers before it stops)',
    tag: 'daemon',
    access: 'write',
    response: { kind: 'json', data: 'ShutdownView', status: 202 },
  },
  {
    method: 'get',
    path: `${v1}/loops`,
    summary: 'List loops, newest first',
    tag: 'loops',
    access: 'read',
    query: ListLoopsQuery,
    response: { kind: 'json', data: loop },
    errors: ['validation_failed'],
  },
  {
    method: 'post',
    path: `${v1}/loops`,
    summary: 'Start a loop: a new issue on a repository, or an existing issue by URL',
    tag: 'loops',
    access: 'write',
    body: CreateLoopRequest,
    response: { kind: 'json', data: 'LoopView', status: 201 },
    errors: ['bad_request', 'validation_failed', 'config_invalid', 'conflict', 'forge_failed'],
  },
  {
    method: 'get',
    path: `${v1}/loops/:id`,
    summary: 'One loop with its runs',
    tag: 'loops',
    access: 'read',
    response: { kind: 'json', data: 'LoopView' },
    errors: ['not_found'],
  },
  loopAction('cancel', 'Cancel a loop (its running agent is stopped)'),
  loopAction('pause', 'Pause a loop at its stage'),
  loopAction('resume', 'Resume a paused loop'),
  loopAction('approve', 'Approve the plan of a loop awaiting approval'),
  {
    ...loopAction('retry', 'Retry a loop that ended needs_human or failed'),
    body: RetryLoopRequest,
    errors: ['not_found', 'invalid_transition', 'bad_request', 'validation_failed'],
  },
  {
    method: 'get',
    path: `${v1}/runs/:id`,
    summary: 'One agent run',
    tag: 'runs',
    access: 'read',
    response: { kind: 'json', data: 'RunView' },
    errors: ['not_found'],
  },
  {
    method: 'get',
    path: `${v1}/runs/:id/log`,
    summary: "A run's log; `follow=1` streams it while the run runs",
    tag: 'runs',
    access: 'read',
    query: RunLogQuery,
    response: {
      kind: 'text',
      contentType: 'text/plain; charset=utf-8',
      description: 'The log as written so far (streamed with follow while the run is running).',
    },
    errors: ['not_found', 'validation_failed'],
  },
  {
    method: 'get',
    path: `${v1}/queue`,
    summary: 'Live queue entries in claim order',
    tag: 'queue',
    access: 'read',
    query: ListQueueQuery,
    response: { kind: 'json', data: { arrayOf: 'QueueEntryView' } },
    errors: ['validation_failed'],
  },
  {
    method: 'delete',
    path: `${v1}/queue/:id`,
    summary: 'Remove a waiting entry (and cancel its loop)',
    tag: 'queue',
    access: 'write',
    query: RemoveQueueEntryQuery,
    response: { kind: 'json', data: 'QueueRemovedView' },
    errors: ['not_found', 'conflict', 'validation_failed'],
  },
  {
    method: 'get',
    path: `${v1}/failures`,
    summary: 'Loops that ended needs_human or failed, newest first',
    tag: 'queue',
    access: 'read',
    query: ListFailuresQuery,
    response: { kind: 'json', data: { arrayOf: 'FailureView' } },
    errors: ['validation_failed'],
  },
  {
    method: 'get',
    path: `${v1}/events`,
    summary: 'A page of stored events after a cursor',
    tag: 'events',
    access: 'read',
    query: ListEventsQuery,
    response: { kind: 'json', data: { arrayOf: 'EventView' } },
    errors: ['validation_failed'],
  },
  {
    method: 'get',
    path: `${v1}/events/stream`,
    summary:
      'Events as Server-Sent Events: replay after a cursor, then live (Last-Event-ID resumes)',
    tag: 'events',
    access: 'read',
    query: EventStreamQuery,
    response: { kind: 'sse' },
    errors: ['validation_failed'],
  },
  {
    method: 'get',
    path: `${v1}/projects`,
    summary: 'The watched repositories',
    tag: 'projects',
    access: 'read',
    response: { kind: 'json', data: { arrayOf: 'ProjectView' } },
  },
  {
    method: 'post',
    path: `${v1}/projects`,
    summary: 'Add a project: a GitHub repository, a local repository, or both',
    tag: 'projects',
    access: 'write',
    body: CreateProjectRequest,
    response: { kind: 'json', data: 'ProjectView', status: 201 },
    errors: ['bad_request', 'validation_failed', 'conflict'],
  },
  {
    method: 'get',
    path: `${v1}/projects/:id`,
    summary: 'One project',
    tag: 'projects',
    access: 'read',
    response: { kind: 'json', data: 'ProjectView' },
    errors: ['not_found'],
  },
  {
    method: 'delete',
    path: `${v1}/projects/:id`,
    summary: 'Remove a project added through the API, with its finished loops',
    tag: 'projects',
    access: 'write',
    response: { kind: 'json', data: 'ProjectRemovedView' },
    errors: ['not_found', 'conflict'],
  },
  {
    method: 'get',
    path: `${v1}/webhooks`,
    summary: "GitHub projects' Looper webhooks and their forwarding",
    tag: 'webhooks',
    access: 'read',
    query: WebhookQuery,
    response: { kind: 'json', data: { arrayOf: 'WebhookStatusView' } },
    errors: ['validation_failed', 'not_found', 'forge_failed'],
  },
  {
    method: 'post',
    path: `${v1}/webhooks`,
    summary: "Create the repository webhook (or forward GitHub's events with gh)",
    tag: 'webhooks',
    access: 'write',
    body: EnableWebhookRequest,
    response: { kind: 'json', data: 'WebhookEnableView' },
    errors: ['bad_request', 'validation_failed', 'not_found', 'forge_failed'],
  },
  {
    method: 'delete',
    path: `${v1}/webhooks`,
    summary: "Remove Looper's webhooks (and stop forwarding)",
    tag: 'webhooks',
    access: 'write',
    query: WebhookQuery,
    response: { kind: 'json', data: 'WebhookDisableView' },
    errors: ['validation_failed', 'not_found', 'forge_failed'],
  },
  {
    method: 'get',
    path: `${v1}/worktrees`,
    summary: 'Worktrees Looper has not removed yet',
    tag: 'worktrees',
    access: 'read',
    response: { kind: 'json', data: { arrayOf: 'WorktreeView' } },
  },
  {
    method: 'post',
    path: `${v1}/worktrees/cleanup`,
    summary: "Remove finished loops' worktrees past the retention (dirty ones need force)",
    tag: 'worktrees',
    access: 'write',
    body: CleanupWorktreesRequest,
    response: { kind: 'json', data: 'WorktreeCleanupView' },
    errors: ['bad_request', 'validation_failed'],
  },
  {
    method: 'post',
    path: '/webhooks/github',
    summary: "GitHub's webhook deliveries (HMAC-signed; de-duplicated by delivery id)",
    tag: 'webhooks',
    access: 'signature',
    body: z.record(z.string(), z.unknown()).meta({ description: "GitHub's event payload." }),
    response: { kind: 'json', data: 'WebhookOutcome', status: 202 },
    errors: ['bad_request', 'forbidden'],
  },
];

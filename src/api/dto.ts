// The REST API's request and response shapes (snake_case on the wire). The CLI reads the same types.
import { z } from 'zod';
import {
  parseIssueUrl,
  type Role,
  type RunStatus,
  type Stage,
  vendorNames,
} from '../domain/index.js';

export const CreateLoopRequest = z
  .object({
    /**
     * An issue on a known GitHub project (`https://github.com/o/r/issues/N`, or the GHE form): its
     * loop starts as a trusted `looper:plan` label would. Not together with repo, title, body, base.
     */
    issue_url: z.string().trim().min(1).max(2048).optional(),
    /** A local repository path (absolute) or `owner/name` of a known project. */
    repo: z.string().min(1).optional(),
    title: z.string().trim().min(1).max(256).optional(),
    body: z.string().max(65_536).optional(),
    vendor: z.enum(vendorNames).optional(),
    model: z.string().min(1).max(200).optional(),
    checks: z.array(z.string().trim().min(1).max(2000)).max(20).optional(),
    base_branch: z.string().min(1).max(255).optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.issue_url === undefined) {
      if (request.repo === undefined) {
        ctx.addIssue({ code: 'custom', path: ['repo'], message: 'required (or give issue_url)' });
      }
      if (request.title === undefined) {
        ctx.addIssue({ code: 'custom', path: ['title'], message: 'required (or give issue_url)' });
      }
      return;
    }
    if (parseIssueUrl(request.issue_url) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['issue_url'],
        message: 'expected https://<host>/<owner>/<name>/issues/<number>',
      });
    }
    for (const key of ['repo', 'title', 'body', 'base_branch'] as const) {
      if (request[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'not together with issue_url' });
      }
    }
  });
export type CreateLoopRequest = z.infer<typeof CreateLoopRequest>;

export const ListLoopsQuery = z
  .object({
    stage: z.string().optional(),
    active: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export type ListLoopsQuery = z.infer<typeof ListLoopsQuery>;

/** `GET /events`: a page of stored events after a cursor. */
export const ListEventsQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
    loop: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type ListEventsQuery = z.infer<typeof ListEventsQuery>;

/** `GET /events/stream`: replay after `after` (or the `Last-Event-ID` header), then live. */
export const EventStreamQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
    loop: z.string().min(1).max(200).optional(),
  })
  .strict();
export type EventStreamQuery = z.infer<typeof EventStreamQuery>;

/** `GET /runs/:id/log`: `follow=1` keeps streaming until the run stops running. */
export const RunLogQuery = z
  .object({
    follow: z.enum(['0', '1', 'true', 'false']).optional(),
  })
  .strict();
export type RunLogQuery = z.infer<typeof RunLogQuery>;

export interface HealthView {
  status: 'ok';
  version: string;
}

export interface ShutdownView {
  stopping: true;
}

export interface TokensView {
  input: number;
  output: number;
  cached: number;
}

export interface RunView {
  id: string;
  loop_id: string;
  role: Role;
  vendor: string;
  model: string | null;
  stage: Stage;
  attempt: number;
  status: RunStatus;
  exit_code: number | null;
  error_kind: string | null;
  error_message: string | null;
  summary: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  tokens: TokensView;
  cost_usd: number | null;
  session_id: string | null;
  log_path: string;
}

export interface LoopView {
  id: string;
  project: { id: string; name: string; path: string | null; repo: string | null };
  kind: 'issue' | 'review' | 'fix';
  number: number;
  title: string;
  stage: Stage;
  paused: boolean;
  reason: string | null;
  branch: string | null;
  pr: { number: number; url: string; state: string } | null;
  rounds: { plan: number; local_fix: number; fix: number };
  attempt: number;
  vendor: string;
  model: string | null;
  checks: string[];
  cost_usd: number;
  tokens: TokensView;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** Present on `GET /loops/:id`. */
  runs?: RunView[];
}

export interface EventView {
  id: number;
  at: string;
  type: string;
  loop_id: string | null;
  run_id: string | null;
  data: Record<string, unknown>;
}

export interface StatusView {
  version: string;
  pid: number;
  node: string;
  data_dir: string;
  storage: string;
  started_at: string;
  uptime_s: number;
  loops: { active: number; by_stage: Partial<Record<Stage, number>> };
  queue: { queued: number; claimed: number };
  runs: { running: number };
  limits: { max_concurrent_loops: number };
}

export type Envelope<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; details?: unknown } };

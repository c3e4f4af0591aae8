// Request and response shapes of the project endpoints (`/projects`) and the webhook endpoints
// (`/webhooks`: the repository webhook that sends GitHub's events to looperd). snake_case on the wire.
import { z } from 'zod';

/** `owner/name` as GitHub spells repositories. */
export const repoName = z
  .string()
  .trim()
  .regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"');

/** `POST /projects`: a GitHub repository (`repo`), a local repository (`path`), or a clone of one. */
export const CreateProjectRequest = z
  .object({
    repo: repoName.optional(),
    /** An absolute local path: the repository itself, or for `repo` the clone to work from. */
    path: z.string().trim().min(1).max(4096).optional(),
    base_branch: z.string().trim().min(1).max(255).optional(),
    checks: z.array(z.string().trim().min(1).max(2000)).max(20).optional(),
  })
  .strict()
  .refine((request) => request.repo !== undefined || request.path !== undefined, {
    message: 'give repo (owner/name), path (a local repository), or both',
    path: ['repo'],
  });
export type CreateProjectRequest = z.infer<typeof CreateProjectRequest>;

/** The events Looper acts on (SPEC §2); a webhook it creates subscribes to exactly these. */
export const webhookEvents = [
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'check_run',
  'check_suite',
  'status',
] as const;

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    'expected an http(s) URL',
  );

/** `GET /webhooks?repo=o/r` and `DELETE /webhooks?repo=o/r&url=…`. */
export const WebhookQuery = z
  .object({
    repo: repoName.optional(),
    url: httpUrl.optional(),
  })
  .strict();
export type WebhookQuery = z.infer<typeof WebhookQuery>;

/**
 * `POST /webhooks`: `url` is the public URL GitHub delivers to (a tunnel or a proxy); `forward`
 * has looperd run `gh webhook forward` for the repository instead, relaying to this machine.
 */
export const EnableWebhookRequest = z
  .object({
    repo: repoName.optional(),
    url: httpUrl.optional(),
    forward: z.boolean().optional(),
  })
  .strict()
  .refine((request) => !(request.forward === true && request.url !== undefined), {
    message: 'give url (GitHub delivers to it) or forward (gh relays to looperd), not both',
    path: ['forward'],
  })
  .default({});
export type EnableWebhookRequest = z.infer<typeof EnableWebhookRequest>;

export interface ProjectView {
  id: string;
  name: string;
  forge: 'local' | 'github';
  repo: string | null;
  path: string | null;
  base_branch: string;
  checks: string[];
  /** `config`: a `[[projects]]` entry (synced at every start); `api`: added at run time, stored only. */
  source: 'config' | 'api';
  active_loops: number;
  created_at: string;
  updated_at: string;
}

export interface ProjectRemovedView {
  project: ProjectView;
  /** Finished loops of the project, deleted with it. */
  loops_removed: number;
  /** Their worktrees left on disk (uncommitted changes, or removal failed). */
  worktrees_kept: string[];
}

/** Where the secret that signs deliveries comes from. */
export interface WebhookSecretView {
  /** `config`: github.webhook-secret; `file`: `<data dir>/webhook-secret`; `none`: not set up yet. */
  source: 'config' | 'file' | 'none';
  /** The secret file (for `file`, and where `none` would create it). */
  file: string;
}

export interface WebhookHookView {
  id: number;
  url: string;
  active: boolean;
  events: string[];
  /** The answer to the latest delivery, when GitHub reports one. */
  last_response: { code: number | null; status: string | null; message: string | null } | null;
  created_at: string | null;
}

/** The `gh webhook forward` child looperd supervises for a repository (`enable --forward`). */
export interface WebhookForwardView {
  /**
   * `running`; `restarting` (waiting `restart_delay_ms` after an exit); `stopped`; `unavailable`
   * (gh or its webhook extension is missing: not restarted until enabled again).
   */
  state: 'running' | 'restarting' | 'stopped' | 'unavailable';
  /** The running gh's pid. */
  pid: number | null;
  /** Where gh delivers: looperd's own `/webhooks/github`. */
  url: string;
  started_at: string | null;
  restarts: number;
  last_exit: {
    exit_code: number | null;
    signal: string | null;
    at: string;
    /** The last lines gh wrote to stderr (the secret masked). */
    stderr_tail: string;
  } | null;
  /** When `restarting`, the delay chosen after the last exit. */
  restart_delay_ms: number | null;
  /** Why it is `unavailable`. */
  reason: string | null;
}

export interface WebhookStatusView {
  repo: string;
  secret: WebhookSecretView;
  /** Hooks whose URL ends in `/webhooks/github`. */
  hooks: WebhookHookView[];
  /** Why the hooks could not be listed (the token lacks admin on the repo), else null. */
  error: string | null;
  /** The supervised `gh webhook forward`, when this repository's events are forwarded. */
  forward: WebhookForwardView | null;
}

/** What to set up by hand when Looper cannot create the hook itself. */
export interface WebhookManualView {
  reason: string;
  /** Null when no public URL was given: GitHub cannot reach a loopback address. */
  payload_url: string | null;
  content_type: 'application/json';
  events: string[];
  secret: WebhookSecretView;
}

export interface WebhookEnableView {
  repo: string;
  /** True when this call created the hook; false when it existed or could not be created. */
  created: boolean;
  hook: WebhookHookView | null;
  secret: WebhookSecretView;
  manual: WebhookManualView | null;
  /** With `forward`: the supervised `gh webhook forward` (null otherwise). */
  forward: WebhookForwardView | null;
}

export interface WebhookDisableView {
  repo: string;
  removed: WebhookHookView[];
  /** True when looperd stopped forwarding the repository's events with `gh webhook forward`. */
  forward_stopped: boolean;
}

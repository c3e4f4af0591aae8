// The fields of GitHub's responses the gateway relies on, validated at the boundary (zod), and their
// mapping onto Forge types. Unknown fields pass through untouched and unread.
import { z } from 'zod';
import type { ForgeComment, ForgeIssue, ForgePullRequest, PullRequestState } from '../forge.js';
import { readCommentKey, stripCommentMarker } from './markers.js';
import type { GitHubIssueEvent, GitHubIssueSummary, PullReview } from './types.js';

const Login = z.object({ login: z.string() }).nullable().optional();
const time = (value: string) => Date.parse(value);

export const Issue = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.enum(['open', 'closed']),
  labels: z.array(z.union([z.string(), z.object({ name: z.string().optional() })])),
  html_url: z.string(),
  user: Login,
  pull_request: z.looseObject({}).nullable().optional(),
  updated_at: z.string(),
});
export type Issue = z.infer<typeof Issue>;

const RepoName = z.object({ full_name: z.string() });

export const PullRequest = z.object({
  number: z.number().int(),
  node_id: z.string(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.enum(['open', 'closed']),
  draft: z.boolean().optional(),
  merged_at: z.string().nullable().optional(),
  merge_commit_sha: z.string().nullable().optional(),
  // A fork's head repo is null once the fork is deleted.
  head: z.object({ ref: z.string(), sha: z.string(), repo: RepoName.nullable().optional() }),
  base: z.object({ ref: z.string(), repo: RepoName.nullable().optional() }),
  html_url: z.string(),
  user: Login,
  labels: z.array(z.object({ name: z.string() })).optional(),
  mergeable: z.boolean().nullable().optional(),
  mergeable_state: z.string().optional(),
  auto_merge: z.object({ merge_method: z.string() }).nullable().optional(),
});
export type PullRequest = z.infer<typeof PullRequest>;

export const Comment = z.object({
  id: z.number().int(),
  body: z.string().optional(),
  user: Login,
  html_url: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Comment = z.infer<typeof Comment>;

export const Label = z.object({ name: z.string(), color: z.string() });
export const Review = z.object({ id: z.number().int(), body: z.string().nullable().optional() });
export const PullReviewRow = z.object({
  id: z.number().int(),
  user: Login,
  body: z.string().nullable().optional(),
  state: z.enum(['COMMENTED', 'APPROVED', 'CHANGES_REQUESTED', 'DISMISSED', 'PENDING']),
  commit_id: z.string().nullable().optional(),
  submitted_at: z.string().nullable().optional(),
});
export const MergeResult = z.object({
  sha: z.string().nullable().optional(),
  merged: z.boolean(),
  message: z.string().optional(),
});
export const DiffEntry = z.object({
  filename: z.string(),
  status: z.string(),
  patch: z.string().optional(),
});

export const CheckRuns = z.object({
  check_runs: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      status: z.string(),
      conclusion: z.string().nullable(),
      details_url: z.string().nullable().optional(),
      output: z.object({ title: z.string().nullable().optional() }).optional(),
    }),
  ),
});

export const CombinedStatus = z.object({
  statuses: z.array(
    z.object({
      context: z.string(),
      state: z.enum(['pending', 'success', 'failure', 'error']),
      description: z.string().nullable(),
      target_url: z.string().nullable().optional(),
    }),
  ),
});

export const CheckRunOutput = z.object({
  output: z
    .object({
      title: z.string().nullable().optional(),
      summary: z.string().nullable().optional(),
      text: z.string().nullable().optional(),
    })
    .optional(),
});

export const Permission = z.object({
  permission: z.string(),
  role_name: z.string().optional(),
});

export const User = z.object({ login: z.string(), id: z.number().int(), type: z.string() });

const Window = z.object({
  limit: z.number(),
  remaining: z.number(),
  used: z.number(),
  reset: z.number(),
});
export const RateLimit = z.object({
  resources: z.object({ core: Window, graphql: Window.optional() }),
});

export const IssueEvent = z.object({
  id: z.number().int(),
  event: z.string(),
  actor: Login,
  issue: z.object({ number: z.number().int() }).nullable().optional(),
  label: z.object({ name: z.string().nullable() }).optional(),
  created_at: z.string(),
});

export function labelNames(labels: Issue['labels']): string[] {
  return labels.flatMap((l) => (typeof l === 'string' ? [l] : l.name ? [l.name] : []));
}

export function toIssue(raw: Issue): ForgeIssue {
  const { number, title, state } = raw;
  return {
    number,
    title,
    body: raw.body ?? '',
    state,
    labels: labelNames(raw.labels),
    url: raw.html_url,
  };
}

export function toIssueSummary(raw: Issue): GitHubIssueSummary {
  return {
    ...toIssue(raw),
    author: raw.user?.login ?? null,
    isPullRequest: raw.pull_request != null,
    updatedAt: time(raw.updated_at),
  };
}

export function pullRequestState(raw: PullRequest): PullRequestState {
  if (raw.merged_at) return 'merged';
  if (raw.state === 'closed') return 'closed';
  return raw.draft ? 'draft' : 'open';
}

/** The fork the head branch lives in; null for a branch of the PR's own repo. */
function headRepoOf(raw: PullRequest): string | null {
  const head = raw.head.repo;
  // GitHub sends `head.repo: null` once a fork is deleted: there is no head repo to name (and
  // nothing to push to), so it reads as null like a same-repo head.
  if (!head) return null;
  const base = raw.base.repo?.full_name;
  if (base === undefined || head.full_name.toLowerCase() === base.toLowerCase()) return null;
  return head.full_name;
}

export function toPullRequest(raw: PullRequest): ForgePullRequest {
  return {
    number: raw.number,
    title: raw.title,
    body: raw.body ?? '',
    head: raw.head.ref,
    base: raw.base.ref,
    headSha: raw.head.sha,
    state: pullRequestState(raw),
    url: raw.html_url,
    labels: (raw.labels ?? []).map((label) => label.name),
    headRepo: headRepoOf(raw),
  };
}

export function toPullReview(raw: z.infer<typeof PullReviewRow>): PullReview {
  return {
    id: raw.id,
    author: raw.user?.login ?? null,
    state: raw.state,
    body: raw.body ?? '',
    commitId: raw.commit_id ?? null,
    submittedAt: raw.submitted_at ? time(raw.submitted_at) : null,
  };
}

export function toComment(number: number, raw: Comment): ForgeComment {
  const body = raw.body ?? '';
  return {
    id: raw.id,
    number,
    key: readCommentKey(body),
    author: raw.user?.login ?? 'ghost',
    body: stripCommentMarker(body),
    url: raw.html_url,
    createdAt: time(raw.created_at),
    updatedAt: time(raw.updated_at),
  };
}

export function toIssueEvent(raw: z.infer<typeof IssueEvent>): GitHubIssueEvent {
  return {
    id: raw.id,
    event: raw.event,
    actor: raw.actor?.login ?? null,
    number: raw.issue?.number ?? null,
    label: raw.label?.name ?? null,
    createdAt: time(raw.created_at),
  };
}

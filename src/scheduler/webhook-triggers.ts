// Turns a GitHub webhook delivery into an intake trigger. Only the events Looper acts on become
// triggers; the payload fields it relies on are validated here, at the boundary.
import { z } from 'zod';
import type { ProjectRecord } from '../store/index.js';
import type { Trigger } from './intake.js';

const Repo = z.object({ full_name: z.string() });
const User = z.object({ login: z.string() });
const Issue = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullable().optional(),
  pull_request: z.unknown().optional(),
});

const LabeledIssue = z.object({
  action: z.literal('labeled'),
  label: z.object({ name: z.string() }),
  issue: Issue,
  repository: Repo,
  sender: User,
});
const LabeledPull = z.object({
  action: z.literal('labeled'),
  label: z.object({ name: z.string() }),
  pull_request: z.object({
    number: z.number().int(),
    title: z.string(),
    body: z.string().nullable().optional(),
  }),
  repository: Repo,
  sender: User,
});
const OpenedIssue = z.object({
  action: z.literal('opened'),
  issue: Issue.extend({ user: User }),
  repository: Repo,
});
const CreatedComment = z.object({
  action: z.literal('created'),
  comment: z.object({ body: z.string(), user: User }),
  issue: Issue,
  repository: Repo,
});

/** The labeled issue or PR of an `issues` / `pull_request` delivery, in one shape. */
function labeledTarget(event: string, payload: Record<string, unknown>) {
  if (event === 'issues') {
    const parsed = LabeledIssue.safeParse(payload);
    return parsed.success
      ? { ...parsed.data, target: parsed.data.issue, isPullRequest: false }
      : null;
  }
  if (event === 'pull_request') {
    const parsed = LabeledPull.safeParse(payload);
    return parsed.success
      ? { ...parsed.data, target: parsed.data.pull_request, isPullRequest: true }
      : null;
  }
  return null;
}

export async function triggerFromWebhook(
  event: string,
  payload: Record<string, unknown>,
  projectFor: (repo: string) => Promise<ProjectRecord | null>,
): Promise<Trigger | null> {
  const labeled = labeledTarget(event, payload);
  if (labeled) {
    const project = await projectFor(labeled.repository.full_name);
    if (!project) return null;
    return {
      type: 'label',
      project,
      number: labeled.target.number,
      isPullRequest: labeled.isPullRequest,
      label: labeled.label.name,
      actor: labeled.sender.login,
      title: labeled.target.title,
      body: labeled.target.body ?? '',
      source: 'webhook',
    };
  }
  if (event === 'issues') {
    const parsed = OpenedIssue.safeParse(payload);
    if (!parsed.success || parsed.data.issue.pull_request !== undefined) return null;
    const p = parsed.data;
    const project = await projectFor(p.repository.full_name);
    if (!project) return null;
    return {
      type: 'opened',
      project,
      number: p.issue.number,
      actor: p.issue.user.login,
      title: p.issue.title,
      body: p.issue.body ?? '',
      source: 'webhook',
    };
  }
  if (event === 'issue_comment') {
    const parsed = CreatedComment.safeParse(payload);
    if (!parsed.success) return null;
    const p = parsed.data;
    const project = await projectFor(p.repository.full_name);
    if (!project) return null;
    return {
      type: 'comment',
      project,
      number: p.issue.number,
      isPullRequest: p.issue.pull_request !== undefined,
      actor: p.comment.user.login,
      body: p.comment.body,
      source: 'webhook',
    };
  }
  return null;
}

const Numbered = z.object({ number: z.number().int() });
const PullActivity = z.object({ pull_request: Numbered, repository: Repo });
const CheckActivity = z.object({
  action: z.string(),
  repository: Repo,
  check_run: z.object({ head_sha: z.string(), pull_requests: z.array(Numbered) }).optional(),
  check_suite: z.object({ head_sha: z.string(), pull_requests: z.array(Numbered) }).optional(),
});
const StatusActivity = z.object({ repository: Repo, sha: z.string() });
const Sender = z.object({ sender: User });

/** Which PRs a delivery says something about, for the merge watch; `all` when it cannot tell. */
export interface PullRequestNudge {
  repo: string;
  /** The PRs concerned; `all` when the delivery names none (then `sha` says which head it is about). */
  numbers: number[] | 'all';
  /** The commit a CI delivery reports on. */
  sha?: string;
  /** Who caused it: Looper's own actions (its review, its labels) need no second look. */
  sender: string | null;
}

/**
 * Deliveries that may change what a watched PR needs (a review, a thread, a push, CI finishing, a
 * merge, a removed label) become a nudge: the merge watch looks at those PRs now instead of at the
 * next poll.
 */
export function nudgeFromWebhook(
  event: string,
  payload: Record<string, unknown>,
): PullRequestNudge | null {
  const who = Sender.safeParse(payload);
  const sender = who.success ? who.data.sender.login : null;
  switch (event) {
    case 'pull_request':
    case 'pull_request_review':
    case 'pull_request_review_comment':
    case 'pull_request_review_thread': {
      const parsed = PullActivity.safeParse(payload);
      if (!parsed.success) return null;
      return {
        repo: parsed.data.repository.full_name,
        numbers: [parsed.data.pull_request.number],
        sender,
      };
    }
    case 'check_run':
    case 'check_suite': {
      const parsed = CheckActivity.safeParse(payload);
      if (!parsed.success || parsed.data.action !== 'completed') return null;
      const check = parsed.data.check_run ?? parsed.data.check_suite;
      const prs = check?.pull_requests ?? [];
      // GitHub lists only same-repository PRs here; an empty list may still concern one.
      return {
        repo: parsed.data.repository.full_name,
        numbers: prs.length > 0 ? prs.map((p) => p.number) : 'all',
        ...(check ? { sha: check.head_sha } : {}),
        sender,
      };
    }
    case 'status': {
      const parsed = StatusActivity.safeParse(payload);
      return parsed.success
        ? { repo: parsed.data.repository.full_name, numbers: 'all', sha: parsed.data.sha, sender }
        : null;
    }
    default:
      return null;
  }
}

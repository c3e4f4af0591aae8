// Builds webhook payloads from @octokit/webhooks-examples with the emulated entities swapped in, so
// a receiver sees GitHub's real payload shape carrying this emulator's repo, issue, PR and users.
import {
  commentJson,
  issueJson,
  type Json,
  type JsonContext,
  labelJson,
  repoJson,
  userJson,
} from './json-core.js';
import { checkRunJson, pullJson, reviewCommentJson, reviewJson, statusJson } from './json-pulls.js';
import { ensureLabel } from './mutations.js';
import { pullDetails, refreshPull } from './pulls.js';
import type { EmRepo } from './state.js';
import { examplePayload } from './webhooks.js';

export interface WebhookPayloadInput {
  repo: string;
  event: string;
  action?: string;
  /** Issue or PR number. */
  number?: number;
  label?: string;
  /** Who did it (default the repo owner). */
  sender?: string;
  commentId?: number;
  reviewId?: number;
  reviewCommentId?: number;
  checkRunId?: number;
  statusId?: number;
}

function find<T extends { id: number }>(items: T[], id: number | undefined, what: string): T {
  const item = items.find((i) => i.id === id);
  if (!item) throw new Error(`no ${what} ${id}`);
  return item;
}

async function addTarget(json: JsonContext, repo: EmRepo, input: WebhookPayloadInput, p: Json) {
  if (input.number === undefined) return;
  const issue = repo.issues.get(input.number);
  if (!issue) throw new Error(`no issue or PR #${input.number}`);
  const pull = repo.pulls.get(input.number);
  if (input.event.startsWith('pull_request') && pull) {
    await refreshPull(repo, issue, pull);
    p.pull_request = pullJson(json, repo, issue, pull, await pullDetails(repo, issue, pull));
    if ('number' in p) p.number = input.number;
    return;
  }
  p.issue = issueJson(json, repo, issue);
}

export async function buildWebhookPayload(
  json: JsonContext,
  repo: EmRepo,
  input: WebhookPayloadInput,
): Promise<Json> {
  const p = examplePayload(input.event, input.action);
  p.repository = repoJson(json, repo);
  p.sender = userJson(json, input.sender ?? repo.owner);
  delete p.organization;
  delete p.installation;
  delete p.enterprise;
  await addTarget(json, repo, input, p);
  if (input.label !== undefined) {
    p.label = labelJson(json, repo, ensureLabel(json.state, repo, input.label));
  }
  if (input.commentId !== undefined) {
    p.comment = commentJson(json, repo, find(repo.comments, input.commentId, 'comment'));
  }
  if (input.reviewId !== undefined) {
    p.review = reviewJson(json, repo, find(repo.reviews, input.reviewId, 'review'));
  }
  if (input.reviewCommentId !== undefined) {
    const comment = find(repo.reviewComments, input.reviewCommentId, 'review comment');
    p.comment = reviewCommentJson(json, repo, comment);
  }
  if (input.checkRunId !== undefined) {
    const run = checkRunJson(json, repo, find(repo.checkRuns, input.checkRunId, 'check run'));
    p.check_run = { ...(p.check_run as Json), ...run };
  }
  if (input.statusId !== undefined) {
    const status = find(repo.statuses, input.statusId, 'status');
    Object.assign(p, {
      ...statusJson(json, repo, status),
      sha: status.sha,
      name: repo.fullName,
    });
  }
  return p;
}

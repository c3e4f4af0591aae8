// GitHub's JSON shapes for pull requests, reviews, review comments, check runs and statuses.
import type { EmulatedDiffFile } from './diff.js';
import {
  authorAssociation,
  iso,
  issueHtml,
  issueLabelsJson,
  type Json,
  type JsonContext,
  repoApi,
  repoJson,
  userJson,
} from './json-core.js';
import { readyState } from './protection.js';
import type {
  EmCheckRun,
  EmIssue,
  EmPull,
  EmRepo,
  EmReview,
  EmReviewComment,
  EmStatus,
} from './state.js';

export interface PullDetails {
  mergeable: boolean | null;
  additions: number;
  deletions: number;
  changedFiles: number;
  commits: number;
}

const link = (href: string) => ({ href });

export function pullSimpleJson(ctx: JsonContext, repo: EmRepo, issue: EmIssue, pull: EmPull): Json {
  const api = `${repoApi(ctx, repo)}/pulls/${pull.number}`;
  const issueApi = `${repoApi(ctx, repo)}/issues/${pull.number}`;
  const html = issueHtml(ctx, repo, issue);
  const statuses = `${repoApi(ctx, repo)}/statuses/${pull.headSha}`;
  const branch = (ref: string, sha: string, from: EmRepo, fork: boolean) => ({
    label: `${from.owner}:${ref}`,
    ref,
    sha,
    user: userJson(ctx, from.owner),
    repo: { ...repoJson(ctx, from), fork },
  });
  const fork = pull.headRepo ? forkOf(ctx, repo, pull.headRepo) : null;
  return {
    url: api,
    id: issue.id,
    node_id: `PR_${issue.id}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${repoApi(ctx, repo)}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: statuses,
    number: pull.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(ctx, issue.author),
    body: issue.body,
    // A pull's labels have a string description in the description (an issue's may be null).
    labels: issueLabelsJson(ctx, repo, issue.labels).map((l) => ({
      ...l,
      description: l.description ?? '',
    })),
    milestone: null,
    active_lock_reason: null,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: issue.closedAt === null ? null : iso(issue.closedAt),
    merged_at: pull.mergedAt === null ? null : iso(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha ?? (pull.merged ? pull.headSha : null),
    assignee: null,
    assignees: [],
    requested_reviewers: pull.requestedReviewers.map((login) => userJson(ctx, login)),
    requested_teams: [],
    head: branch(pull.head, pull.headSha, fork ?? repo, fork !== null),
    base: branch(pull.base, pull.baseSha, repo, false),
    _links: {
      self: link(api),
      html: link(html),
      issue: link(issueApi),
      comments: link(`${issueApi}/comments`),
      review_comments: link(`${api}/comments`),
      review_comment: link(`${repoApi(ctx, repo)}/pulls/comments{/number}`),
      commits: link(`${api}/commits`),
      statuses: link(statuses),
    },
    author_association: authorAssociation(repo, issue.author),
    auto_merge: pull.autoMerge
      ? {
          enabled_by: userJson(ctx, pull.autoMerge.enabledBy),
          merge_method: pull.autoMerge.method,
          commit_title: `${issue.title} (#${pull.number})`,
          commit_message: '',
        }
      : null,
    draft: pull.draft,
  };
}

/** The fork a head comes from: the emulated repo of that name, else a look-alike of the base. */
function forkOf(ctx: JsonContext, repo: EmRepo, fullName: string): EmRepo {
  const emulated = ctx.state.repos.get(fullName.toLowerCase());
  if (emulated) return emulated;
  const [owner = repo.owner, name = repo.name] = fullName.split('/');
  return { ...repo, id: repo.id + 500_000, owner, name, fullName, private: false };
}

function mergeableState(
  repo: EmRepo,
  pull: EmPull,
  issue: EmIssue,
  mergeable: boolean | null,
): string {
  if (issue.state === 'closed' || mergeable === null) return 'unknown';
  if (!mergeable) return 'dirty';
  return pull.draft ? 'draft' : readyState(repo, pull.base, pull.headSha);
}

export function pullJson(
  ctx: JsonContext,
  repo: EmRepo,
  issue: EmIssue,
  pull: EmPull,
  details: PullDetails,
): Json {
  return {
    ...pullSimpleJson(ctx, repo, issue, pull),
    merged: pull.merged,
    mergeable: details.mergeable,
    rebaseable: details.mergeable,
    mergeable_state: mergeableState(repo, pull, issue, details.mergeable),
    merged_by: pull.mergedBy === null ? null : userJson(ctx, pull.mergedBy),
    comments: repo.comments.filter((c) => c.number === pull.number).length,
    review_comments: repo.reviewComments.filter((c) => c.number === pull.number).length,
    maintainer_can_modify: false,
    commits: details.commits,
    additions: details.additions,
    deletions: details.deletions,
    changed_files: details.changedFiles,
  };
}

export function reviewJson(ctx: JsonContext, repo: EmRepo, review: EmReview): Json {
  const prApi = `${repoApi(ctx, repo)}/pulls/${review.number}`;
  const html = `${ctx.html}/${repo.fullName}/pull/${review.number}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: `PRR_${review.id}`,
    user: userJson(ctx, review.author),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: prApi,
    _links: { html: link(html), pull_request: link(prApi) },
    submitted_at: iso(review.submittedAt),
    commit_id: review.commitId,
    author_association: authorAssociation(repo, review.author),
  };
}

export function reviewCommentJson(ctx: JsonContext, repo: EmRepo, comment: EmReviewComment): Json {
  const url = `${repoApi(ctx, repo)}/pulls/comments/${comment.id}`;
  const prApi = `${repoApi(ctx, repo)}/pulls/${comment.number}`;
  const html = `${ctx.html}/${repo.fullName}/pull/${comment.number}#discussion_r${comment.id}`;
  return {
    url,
    pull_request_review_id: comment.reviewId,
    id: comment.id,
    node_id: `PRRC_${comment.id}`,
    diff_hunk: comment.diffHunk,
    path: comment.path,
    position: 1,
    original_position: 1,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    ...(comment.inReplyTo === null ? {} : { in_reply_to_id: comment.inReplyTo }),
    user: userJson(ctx, comment.author),
    body: comment.body,
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    html_url: html,
    pull_request_url: prApi,
    author_association: authorAssociation(repo, comment.author),
    _links: { self: link(url), html: link(html), pull_request: link(prApi) },
    start_line: null,
    original_start_line: null,
    start_side: null,
    line: comment.line,
    original_line: comment.line,
    side: 'RIGHT',
    subject_type: 'line',
  };
}

export function checkRunJson(ctx: JsonContext, repo: EmRepo, run: EmCheckRun): Json {
  const url = `${repoApi(ctx, repo)}/check-runs/${run.id}`;
  return {
    id: run.id,
    head_sha: run.sha,
    node_id: `CR_${run.id}`,
    external_id: null,
    url,
    html_url: `${ctx.html}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? null,
    status: run.status,
    conclusion: run.conclusion,
    started_at: iso(run.startedAt),
    completed_at: run.completedAt === null ? null : iso(run.completedAt),
    output: {
      title: run.title,
      summary: run.summary,
      text: run.text ?? null,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id + 1_000_000 },
    app: null,
    pull_requests: [],
  };
}

export function statusJson(ctx: JsonContext, repo: EmRepo, status: EmStatus): Json {
  return {
    url: `${repoApi(ctx, repo)}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: `SC_${status.id}`,
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: iso(status.createdAt),
    updated_at: iso(status.updatedAt),
    creator: userJson(ctx, status.creator),
  };
}

/** GitHub's combined state: failure if any failure/error, else pending if any pending or none. */
export function combinedStatusJson(
  ctx: JsonContext,
  repo: EmRepo,
  sha: string,
  latest: EmStatus[],
): Json {
  const states = latest.map((s) => s.state);
  const state = states.some((s) => s === 'failure' || s === 'error')
    ? 'failure'
    : states.length === 0 || states.includes('pending')
      ? 'pending'
      : 'success';
  return {
    state,
    statuses: latest.map((s) => statusJson(ctx, repo, s)),
    sha,
    total_count: latest.length,
    repository: repoJson(ctx, repo),
    commit_url: `${repoApi(ctx, repo)}/commits/${sha}`,
    url: `${repoApi(ctx, repo)}/commits/${sha}/status`,
  };
}

export function diffEntryJson(
  ctx: JsonContext,
  repo: EmRepo,
  headSha: string,
  file: EmulatedDiffFile,
): Json {
  const path = file.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha: null,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${ctx.html}/${repo.fullName}/blob/${headSha}/${path}`,
    raw_url: `${ctx.html}/${repo.fullName}/raw/${headSha}/${path}`,
    contents_url: `${repoApi(ctx, repo)}/contents/${path}?ref=${headSha}`,
    ...(file.patch ? { patch: file.patch } : {}),
    ...(file.previousFilename ? { previous_filename: file.previousFilename } : {}),
  };
}

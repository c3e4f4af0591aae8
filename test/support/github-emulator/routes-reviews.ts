// REST routes for reviews and review comments. Like GitHub, a review whose inline comments include
// one line outside the PR diff is rejected whole (422), and nobody may approve or request changes
// on their own pull request.
import { commitExists } from './git.js';
import { reviewCommentJson, reviewJson } from './json-pulls.js';
import { diffFiles, refreshPull } from './pulls.js';
import { openThread } from './review-threads.js';
import { HttpError, listReply, type Route, repoOf, requireRole, stringField } from './router.js';
import { pullFrom } from './routes-pulls.js';
import type { EmPull, EmRepo, EmReviewState } from './state.js';

const reviewStates: Record<string, EmReviewState> = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
};

function rejected(reason: string): HttpError {
  return new HttpError(422, 'Unprocessable Entity', [reason]);
}

interface DraftComment {
  path: string;
  line: number;
  body: string;
  diffHunk: string;
}

async function checkComments(
  repo: EmRepo,
  pull: EmPull,
  commitId: string,
  raw: unknown,
): Promise<DraftComment[]> {
  const list = Array.isArray(raw) ? (raw as Record<string, unknown>[]) : [];
  if (list.length === 0) return [];
  const files = await diffFiles(repo, pull, commitId);
  return list.map((item) => {
    const path = typeof item.path === 'string' ? item.path : '';
    const line = typeof item.line === 'number' ? item.line : Number.NaN;
    if ((item.side ?? 'RIGHT') !== 'RIGHT' || item.start_line !== undefined) {
      throw rejected('emulator: only single-line RIGHT-side comments are emulated');
    }
    const file = files.find((f) => f.filename === path);
    const hunk = file?.hunkOf.get(line);
    if (!file || hunk === undefined) {
      throw rejected('Pull request review thread line must be part of the diff');
    }
    return { path, line, body: typeof item.body === 'string' ? item.body : '', diffHunk: hunk };
  });
}

export const reviewRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const { pull } = pullFrom(ctx, repo);
      const reviews = repo.reviews.filter((r) => r.number === pull.number);
      return listReply(ctx, reviews, (r) => reviewJson(ctx.json, repo, r));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    handle: async (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'read');
      const { issue, pull } = pullFrom(ctx, repo);
      await refreshPull(repo, issue, pull);
      const event = stringField(ctx.body, 'event') ?? '';
      const state = reviewStates[event];
      if (!state) throw rejected('emulator: pending reviews (no event) are not emulated');
      if (state !== 'COMMENTED' && issue.author.toLowerCase() === ctx.login.toLowerCase()) {
        const what = state === 'APPROVED' ? 'approve' : 'request changes on';
        throw rejected(`Review Can not ${what} your own pull request`);
      }
      const commitId = stringField(ctx.body, 'commit_id') ?? pull.headSha;
      if (!(await commitExists(repo.gitDir, commitId))) {
        throw rejected('Commit id is not part of the pull request');
      }
      const body = stringField(ctx.body, 'body') ?? '';
      const drafts = await checkComments(repo, pull, commitId, ctx.body.comments);
      if (state !== 'APPROVED' && body === '' && drafts.length === 0) {
        throw rejected('Review body is required');
      }
      const review = {
        id: ctx.state.nextId(),
        number: pull.number,
        author: ctx.login,
        body,
        state,
        commitId,
        submittedAt: Date.now(),
      };
      repo.reviews.push(review);
      for (const draft of drafts) {
        openThread(ctx.state, repo, pull, {
          ...draft,
          author: ctx.login,
          commitId,
          reviewId: review.id,
        });
      }
      return { status: 200, body: reviewJson(ctx.json, repo, review) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/comments',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const { pull } = pullFrom(ctx, repo);
      const comments = repo.reviewComments.filter((c) => c.number === pull.number);
      return listReply(ctx, comments, (c) => reviewCommentJson(ctx.json, repo, c));
    },
  },
];

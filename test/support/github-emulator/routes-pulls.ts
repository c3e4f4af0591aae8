// REST routes for pull requests: list/create/get/update (REST `draft: false` is silently ignored, as
// on GitHub), merge, the diff media type, changed files, and requested reviewers.
import { mergeBase, resolveRef } from './git.js';
import { userJson } from './json-core.js';
import { diffEntryJson, pullJson, pullSimpleJson } from './json-pulls.js';
import { headOwner, mergePull } from './merges.js';
import { createIssue, setIssueState } from './mutations.js';
import { diffFiles, pullDetails, refreshPull, updatePullRef } from './pulls.js';
import {
  HttpError,
  intParam,
  listReply,
  notFound,
  type Route,
  type RouteContext,
  repoOf,
  requireRole,
  stringField,
} from './router.js';
import { type EmIssue, type EmMergeMethod, type EmPull, type EmRepo, roleOf } from './state.js';

export function pullFrom(ctx: RouteContext, repo: EmRepo): { issue: EmIssue; pull: EmPull } {
  const number = intParam(ctx, 'pull_number');
  const pull = repo.pulls.get(number);
  const issue = repo.issues.get(number);
  if (!pull || !issue) throw notFound();
  return { issue, pull };
}

async function fullPull(ctx: RouteContext, repo: EmRepo, issue: EmIssue, pull: EmPull) {
  await refreshPull(repo, issue, pull);
  return pullJson(ctx.json, repo, issue, pull, await pullDetails(repo, issue, pull));
}

async function createPull(ctx: RouteContext) {
  const repo = repoOf(ctx);
  requireRole(ctx, repo, 'write');
  const head = (stringField(ctx.body, 'head') ?? '').replace(new RegExp(`^${repo.owner}:`), '');
  const base = stringField(ctx.body, 'base') ?? '';
  const headSha = await resolveRef(repo.gitDir, `refs/heads/${head}`);
  const baseSha = await resolveRef(repo.gitDir, `refs/heads/${base}`);
  if (!headSha) throw new HttpError(422, 'Validation Failed', [invalid('head')]);
  if (!baseSha) throw new HttpError(422, 'Validation Failed', [invalid('base')]);
  const open = [...repo.pulls.values()].find(
    (p) => p.head === head && p.base === base && repo.issues.get(p.number)?.state === 'open',
  );
  if (open) {
    const message = `A pull request already exists for ${repo.owner}:${head}.`;
    throw new HttpError(422, 'Validation Failed', [
      { resource: 'PullRequest', code: 'custom', message },
    ]);
  }
  if ((await mergeBase(repo.gitDir, baseSha, headSha)) === headSha) {
    const message = `No commits between ${base} and ${head}`;
    throw new HttpError(422, 'Validation Failed', [
      { resource: 'PullRequest', code: 'custom', message },
    ]);
  }
  const issue = createIssue(ctx.state, repo, {
    title: stringField(ctx.body, 'title') ?? '',
    body: stringField(ctx.body, 'body') ?? null,
    author: ctx.login,
    isPull: true,
  });
  const pull: EmPull = {
    number: issue.number,
    head,
    base,
    draft: ctx.body.draft === true,
    merged: false,
    mergedAt: null,
    mergedBy: null,
    headSha,
    baseSha,
    mergeability: null,
    requestedReviewers: [],
  };
  repo.pulls.set(pull.number, pull);
  await updatePullRef(repo, pull);
  return { status: 201, body: await fullPull(ctx, repo, issue, pull) };
}

function invalid(field: string) {
  return { resource: 'PullRequest', field, code: 'invalid' };
}

/** GitHub refuses to reopen a merged PR, one whose head branch is gone, or a second open one. */
async function checkReopen(repo: EmRepo, pull: EmPull): Promise<void> {
  const custom = (message: string) =>
    new HttpError(422, 'Validation Failed', [
      { resource: 'PullRequest', field: 'state', code: 'custom', message },
    ]);
  const branch = await resolveRef(repo.gitDir, `refs/heads/${pull.head}`);
  if (pull.merged || !branch) {
    throw custom('state cannot be changed. The pull request cannot be reopened.');
  }
  const open = [...repo.pulls.values()].find(
    (p) =>
      p !== pull &&
      p.head === pull.head &&
      p.base === pull.base &&
      repo.issues.get(p.number)?.state === 'open',
  );
  if (open) throw custom(`A pull request already exists for ${repo.owner}:${pull.head}.`);
}

const mergeMethods: readonly EmMergeMethod[] = ['merge', 'squash', 'rebase'];

async function mergeRoute(ctx: RouteContext) {
  const repo = repoOf(ctx);
  requireRole(ctx, repo, 'write');
  const { issue, pull } = pullFrom(ctx, repo);
  const asked = stringField(ctx.body, 'merge_method') ?? 'merge';
  const method = mergeMethods.find((m) => m === asked) ?? 'merge';
  const sha = stringField(ctx.body, 'sha');
  const title = stringField(ctx.body, 'commit_title');
  const message = stringField(ctx.body, 'commit_message');
  const merged = await mergePull(ctx.state, repo, issue, pull, {
    method,
    by: ctx.login,
    ...(sha === undefined ? {} : { sha }),
    ...(title === undefined ? {} : { title }),
    ...(message === undefined ? {} : { message }),
  });
  return {
    status: 200,
    body: { sha: merged, merged: true, message: 'Pull Request successfully merged' },
  };
}

export const pullRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    handle: async (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get('state') ?? 'open';
      const head = ctx.query.get('head');
      const base = ctx.query.get('base');
      const rows: { issue: EmIssue; pull: EmPull }[] = [];
      for (const pull of repo.pulls.values()) {
        const issue = repo.issues.get(pull.number);
        if (!issue || (state !== 'all' && issue.state !== state)) continue;
        const label = `${headOwner(repo, pull)}:${pull.head}`;
        if (head && label.toLowerCase() !== head.toLowerCase()) continue;
        if (base && pull.base !== base) continue;
        await refreshPull(repo, issue, pull);
        rows.push({ issue, pull });
      }
      rows.sort((a, b) => b.pull.number - a.pull.number);
      return listReply(ctx, rows, (r) => pullSimpleJson(ctx.json, repo, r.issue, r.pull));
    },
  },
  { method: 'POST', template: '/repos/{owner}/{repo}/pulls', handle: createPull },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: async (ctx) => {
      const repo = repoOf(ctx);
      const { issue, pull } = pullFrom(ctx, repo);
      if (ctx.accept.includes('application/vnd.github.diff')) {
        await refreshPull(repo, issue, pull);
        const files = await diffFiles(repo, pull);
        return { status: 200, text: files.map((f) => f.patch).join('\n') };
      }
      return { status: 200, body: await fullPull(ctx, repo, issue, pull) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: async (ctx) => {
      const repo = repoOf(ctx);
      const { issue, pull } = pullFrom(ctx, repo);
      if (issue.author !== ctx.login) requireRole(ctx, repo, 'write');
      const next = stringField(ctx.body, 'state');
      if (next === 'open' && issue.state === 'closed') await checkReopen(repo, pull);
      // GitHub ignores `draft` here without an error: leaving draft needs the GraphQL mutation.
      issue.title = stringField(ctx.body, 'title') ?? issue.title;
      if ('body' in ctx.body) issue.body = stringField(ctx.body, 'body') ?? null;
      pull.base = stringField(ctx.body, 'base') ?? pull.base;
      if ((next === 'open' || next === 'closed') && !pull.merged) {
        setIssueState(ctx.state, repo, issue, next, ctx.login);
      }
      issue.updatedAt = Date.now();
      return { status: 200, body: await fullPull(ctx, repo, issue, pull) };
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    handle: mergeRoute,
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    handle: async (ctx) => {
      const repo = repoOf(ctx);
      const { issue, pull } = pullFrom(ctx, repo);
      await refreshPull(repo, issue, pull);
      const files = await diffFiles(repo, pull);
      return listReply(ctx, files, (f) => diffEntryJson(ctx.json, repo, pull.headSha, f));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const { pull } = pullFrom(ctx, repo);
      const users = pull.requestedReviewers.map((login) => userJson(ctx.json, login));
      return { status: 200, body: { users, teams: [] } };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'triage');
      const { issue, pull } = pullFrom(ctx, repo);
      const reviewers = Array.isArray(ctx.body.reviewers) ? (ctx.body.reviewers as string[]) : [];
      for (const login of reviewers) {
        if (login.toLowerCase() === issue.author.toLowerCase()) {
          throw new HttpError(422, 'Review cannot be requested from pull request author.');
        }
        if (!roleOf(repo, login)) {
          throw new HttpError(422, 'Reviews may only be requested from collaborators.');
        }
        if (!pull.requestedReviewers.includes(login)) pull.requestedReviewers.push(login);
      }
      return { status: 201, body: pullSimpleJson(ctx.json, repo, issue, pull) };
    },
  },
];

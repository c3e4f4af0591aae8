// REST routes for repos, labels, issues, issue comments and issue events.
import {
  commentJson,
  issueEventJson,
  issueJson,
  type Json,
  labelJson,
  repoJson,
} from './json-core.js';
import {
  addComment,
  addLabels,
  createIssue,
  ensureLabel,
  removeLabel,
  setIssueState,
} from './mutations.js';
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
  validationError,
} from './router.js';
import { type EmComment, type EmIssue, type EmRepo, findLabel } from './state.js';

function issueFrom(ctx: RouteContext, repo: EmRepo): EmIssue {
  const issue = repo.issues.get(intParam(ctx, 'issue_number'));
  if (!issue) throw notFound();
  return issue;
}

function labelNames(body: unknown): string[] {
  const list = Array.isArray(body)
    ? body
    : body && typeof body === 'object' && 'labels' in body
      ? (body as { labels: unknown }).labels
      : [];
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    if (typeof item === 'string') return [item];
    if (item && typeof item === 'object' && typeof (item as Json).name === 'string') {
      return [(item as Json).name as string];
    }
    return [];
  });
}

function listIssues(ctx: RouteContext, repo: EmRepo): EmIssue[] {
  const state = ctx.query.get('state') ?? 'open';
  const labels = (ctx.query.get('labels') ?? '').split(',').filter(Boolean);
  const since = ctx.query.get('since');
  const sinceMs = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
  const sort = ctx.query.get('sort') ?? 'created';
  const asc = ctx.query.get('direction') === 'asc';
  const issues = [...repo.issues.values()].filter(
    (i) =>
      (state === 'all' || i.state === state) &&
      i.updatedAt >= sinceMs &&
      labels.every((l) => i.labels.some((have) => have.toLowerCase() === l.toLowerCase())),
  );
  const key = (i: EmIssue) => (sort === 'updated' ? i.updatedAt : i.createdAt) * 1e6 + i.number;
  issues.sort((a, b) => (asc ? key(a) - key(b) : key(b) - key(a)));
  return issues;
}

export const issueRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      // A private repository is a 404 to whoever may not read it.
      requireRole(ctx, repo, 'read');
      return {
        status: 200,
        body: {
          ...repoJson(ctx.json, repo),
          has_discussions: false,
          network_count: 0,
          subscribers_count: 0,
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/labels',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      return listReply(ctx, repo.labels, (l) => labelJson(ctx.json, repo, l));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/labels/{name}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const label = findLabel(repo, ctx.params.name ?? '');
      if (!label) throw notFound();
      return { status: 200, body: labelJson(ctx.json, repo, label) };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/labels',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'triage');
      const name = stringField(ctx.body, 'name') ?? '';
      if (findLabel(repo, name)) throw validationError('Label', 'name', 'already_exists');
      const color = (stringField(ctx.body, 'color') ?? 'ededed').replace(/^#/, '');
      const label = ensureLabel(ctx.state, repo, name, color, stringField(ctx.body, 'description'));
      return { status: 201, body: labelJson(ctx.json, repo, label) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/labels/{name}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'triage');
      const label = findLabel(repo, ctx.params.name ?? '');
      if (!label) throw notFound();
      label.name = stringField(ctx.body, 'new_name') ?? label.name;
      label.color = (stringField(ctx.body, 'color') ?? label.color).replace(/^#/, '');
      label.description = stringField(ctx.body, 'description') ?? label.description;
      return { status: 200, body: labelJson(ctx.json, repo, label) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      return listReply(ctx, listIssues(ctx, repo), (i) => issueJson(ctx.json, repo, i));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const issue = createIssue(ctx.state, repo, {
        title: stringField(ctx.body, 'title') ?? '',
        body: stringField(ctx.body, 'body') ?? null,
        labels: labelNames(ctx.body),
        author: ctx.login,
      });
      return { status: 201, body: issueJson(ctx.json, repo, issue) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      return { status: 200, body: issueJson(ctx.json, repo, issueFrom(ctx, repo)) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueFrom(ctx, repo);
      if (issue.author !== ctx.login) requireRole(ctx, repo, 'triage');
      issue.title = stringField(ctx.body, 'title') ?? issue.title;
      if ('body' in ctx.body) issue.body = stringField(ctx.body, 'body') ?? null;
      const next = stringField(ctx.body, 'state');
      if (next === 'open' || next === 'closed') {
        setIssueState(ctx.state, repo, issue, next, ctx.login);
      }
      issue.updatedAt = Date.now();
      return { status: 200, body: issueJson(ctx.json, repo, issue) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueFrom(ctx, repo);
      const labels = issue.labels.flatMap((n) => findLabel(repo, n) ?? []);
      return listReply(ctx, labels, (l) => labelJson(ctx.json, repo, l));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'triage');
      const issue = issueFrom(ctx, repo);
      addLabels(ctx.state, repo, issue, labelNames(ctx.body), ctx.login);
      const labels = issue.labels.flatMap((n) => findLabel(repo, n) ?? []);
      return { status: 200, body: labels.map((l) => labelJson(ctx.json, repo, l)) };
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      requireRole(ctx, repo, 'triage');
      const issue = issueFrom(ctx, repo);
      if (!removeLabel(ctx.state, repo, issue, ctx.params.name ?? '', ctx.login)) {
        throw new HttpError(404, 'Label does not exist');
      }
      const labels = issue.labels.flatMap((n) => findLabel(repo, n) ?? []);
      return { status: 200, body: labels.map((l) => labelJson(ctx.json, repo, l)) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueFrom(ctx, repo);
      const comments = repo.comments.filter((c) => c.number === issue.number);
      return listReply(ctx, comments, (c) => commentJson(ctx.json, repo, c));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueFrom(ctx, repo);
      const body = stringField(ctx.body, 'body') ?? '';
      const comment = addComment(ctx.state, repo, issue, body, ctx.login);
      return { status: 201, body: commentJson(ctx.json, repo, comment) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/comments',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const since = ctx.query.get('since');
      const sinceMs = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
      const byUpdated = ctx.query.get('sort') === 'updated';
      const desc = ctx.query.get('direction') === 'desc';
      const key = (c: EmComment) => (byUpdated ? c.updatedAt : c.createdAt) * 1e6 + c.id;
      const comments = repo.comments
        .filter((c) => c.updatedAt >= sinceMs)
        .sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)));
      return listReply(ctx, comments, (c) => commentJson(ctx.json, repo, c));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const comment = repo.comments.find((c) => c.id === intParam(ctx, 'comment_id'));
      if (!comment) throw notFound();
      return { status: 200, body: commentJson(ctx.json, repo, comment) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const comment = repo.comments.find((c) => c.id === intParam(ctx, 'comment_id'));
      if (!comment) throw notFound();
      if (comment.author !== ctx.login) requireRole(ctx, repo, 'write');
      comment.body = stringField(ctx.body, 'body') ?? comment.body;
      comment.updatedAt = Date.now();
      const issue = repo.issues.get(comment.number);
      if (issue) issue.updatedAt = comment.updatedAt;
      return { status: 200, body: commentJson(ctx.json, repo, comment) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/events',
    handle: (ctx) => {
      const repo = repoOf(ctx);
      const events = [...repo.events].sort((a, b) => b.id - a.id);
      return listReply(ctx, events, (e) => issueEventJson(ctx.json, repo, e));
    },
  },
];

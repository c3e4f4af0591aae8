// REST routes for check runs, commit statuses (combined), collaborator permission, the
// authenticated user and the rate limit.
import { resolveRef } from './git.js';
import { type Json, type JsonContext, userJson } from './json-core.js';
import { checkRunJson, combinedStatusJson, statusJson } from './json-pulls.js';
import { scheduleAutoMerges } from './merges.js';
import {
  HttpError,
  listReply,
  notFound,
  type RateState,
  type Route,
  type RouteContext,
  repoOf,
  requireRole,
  stringField,
} from './router.js';
import { type EmRepo, type EmStatus, roleOf } from './state.js';

async function shaOf(ctx: RouteContext, repo: EmRepo): Promise<string> {
  const ref = ctx.params.ref ?? '';
  const sha =
    (await resolveRef(repo.gitDir, ref)) ?? (await resolveRef(repo.gitDir, `refs/heads/${ref}`));
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

/** The newest status per context, newest first (what GitHub's combined status shows). */
export function latestStatuses(repo: EmRepo, sha: string): EmStatus[] {
  const seen = new Set<string>();
  const latest: EmStatus[] = [];
  for (const status of [...repo.statuses].reverse()) {
    if (status.sha !== sha || seen.has(status.context)) continue;
    seen.add(status.context);
    latest.push(status);
  }
  return latest;
}

const legacyPermission = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read' };

export function rateLimitJson(rate: RateState, login: string): Json {
  const resource = (name: 'core' | 'graphql' | 'search') => {
    const used = rate.used.get(`${login}:${name}`) ?? 0;
    const limit = name === 'search' ? 30 : rate.limit;
    return { limit, used, remaining: Math.max(limit - used, 0), reset: rate.resetAt };
  };
  return {
    resources: { core: resource('core'), graphql: resource('graphql'), search: resource('search') },
    rate: resource('core'),
  };
}

function privateUserJson(json: JsonContext, login: string): Json {
  return {
    ...userJson(json, login),
    user_view_type: 'private',
    name: login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

export function checkRoutes(rateLimit: RateState): Route[] {
  return [
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
      handle: async (ctx) => {
        const repo = repoOf(ctx);
        const sha = await shaOf(ctx, repo);
        let runs = repo.checkRuns.filter((r) => r.sha === sha);
        if (ctx.query.get('filter') !== 'all') {
          runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
        }
        const page = listReply(ctx, runs, (r) => checkRunJson(ctx.json, repo, r));
        return {
          status: 200,
          body: { total_count: runs.length, check_runs: page.body },
          ...(page.headers ? { headers: page.headers } : {}),
        };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/commits/{ref}/status',
      handle: async (ctx) => {
        const repo = repoOf(ctx);
        const sha = await shaOf(ctx, repo);
        return {
          status: 200,
          body: combinedStatusJson(ctx.json, repo, sha, latestStatuses(repo, sha)),
        };
      },
    },
    {
      method: 'POST',
      template: '/repos/{owner}/{repo}/statuses/{sha}',
      handle: async (ctx) => {
        const repo = repoOf(ctx);
        requireRole(ctx, repo, 'write');
        const sha = await resolveRef(repo.gitDir, ctx.params.sha ?? '');
        if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.sha}`);
        const now = Date.now();
        const status: EmStatus = {
          id: ctx.state.nextId(),
          sha,
          context: stringField(ctx.body, 'context') ?? 'default',
          state: (stringField(ctx.body, 'state') ?? 'pending') as EmStatus['state'],
          description: stringField(ctx.body, 'description') ?? null,
          targetUrl: stringField(ctx.body, 'target_url') ?? null,
          creator: ctx.login,
          createdAt: now,
          updatedAt: now,
        };
        if ((status.description?.length ?? 0) > 140) {
          throw new HttpError(422, 'Validation Failed', [
            { resource: 'Status', field: 'description', code: 'custom' },
          ]);
        }
        repo.statuses.push(status);
        scheduleAutoMerges(ctx.state, repo);
        return { status: 201, body: statusJson(ctx.json, repo, status) };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
      handle: (ctx) => {
        const repo = repoOf(ctx);
        const login = ctx.params.username ?? '';
        const user = ctx.state.users.get(login.toLowerCase());
        if (!user) throw notFound();
        const role = roleOf(repo, login) ?? (repo.private ? null : 'read');
        const permission =
          role === null
            ? 'none'
            : (legacyPermission[role as keyof typeof legacyPermission] ?? 'read');
        return {
          status: 200,
          body: {
            permission,
            role_name: role ?? 'none',
            user: { ...userJson(ctx.json, user.login), role_name: role ?? 'none' },
          },
        };
      },
    },
    {
      method: 'GET',
      template: '/user',
      handle: (ctx) => {
        const scopes = ctx.state.scopes?.get(ctx.login);
        return {
          status: 200,
          body: privateUserJson(ctx.json, ctx.login),
          ...(scopes === undefined ? {} : { headers: { 'x-oauth-scopes': scopes } }),
        };
      },
    },
    {
      method: 'GET',
      template: '/rate_limit',
      handle: (ctx) => ({ status: 200, body: rateLimitJson(rateLimit, ctx.login) }),
    },
  ];
}

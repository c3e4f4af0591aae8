// REST routes for repository webhooks (list, create, get, delete); they need admin on the repo, as
// on GitHub. Hooks never deliver: tests send deliveries themselves (sendWebhook).
import { iso, type Json, type JsonContext, repoApi } from './json-core.js';
import {
  HttpError,
  intParam,
  listReply,
  notFound,
  type Route,
  type RouteContext,
  repoOf,
  requireRole,
  validationError,
} from './router.js';
import type { EmHook, EmRepo } from './state.js';

function hooksOf(repo: EmRepo): EmHook[] {
  repo.hooks ??= [];
  return repo.hooks;
}

export function hookJson(ctx: JsonContext, repo: EmRepo, hook: EmHook): Json {
  const url = `${repoApi(ctx, repo)}/hooks/${hook.id}`;
  return {
    type: 'Repository',
    id: hook.id,
    name: 'web',
    active: hook.active,
    events: hook.events,
    config: {
      url: hook.url,
      content_type: hook.contentType,
      insecure_ssl: '0',
      ...(hook.secret ? { secret: '********' } : {}),
    },
    updated_at: iso(hook.createdAt),
    created_at: iso(hook.createdAt),
    url,
    test_url: `${url}/test`,
    ping_url: `${url}/pings`,
    deliveries_url: `${url}/deliveries`,
    last_response: hook.lastResponse,
  };
}

function adminRepo(ctx: RouteContext): EmRepo {
  const repo = repoOf(ctx);
  requireRole(ctx, repo, 'admin');
  return repo;
}

function hookFrom(ctx: RouteContext, repo: EmRepo): EmHook {
  const id = intParam(ctx, 'hook_id');
  const hook = hooksOf(repo).find((h) => h.id === id);
  if (!hook) throw notFound();
  return hook;
}

export const hookRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/hooks',
    handle: (ctx) => {
      const repo = adminRepo(ctx);
      return listReply(ctx, hooksOf(repo), (h) => hookJson(ctx.json, repo, h));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/hooks',
    handle: (ctx) => {
      const repo = adminRepo(ctx);
      const config = (ctx.body.config ?? {}) as Record<string, unknown>;
      const url = typeof config.url === 'string' ? config.url : '';
      if (!URL.canParse(url)) throw validationError('Hook', 'url', 'custom');
      if (hooksOf(repo).some((h) => h.url === url)) {
        throw new HttpError(422, 'Validation Failed', [
          { resource: 'Hook', code: 'custom', message: 'Hook already exists on this repository' },
        ]);
      }
      const events = Array.isArray(ctx.body.events) ? (ctx.body.events as string[]) : ['push'];
      const hook: EmHook = {
        id: ctx.state.nextId(),
        url,
        contentType: typeof config.content_type === 'string' ? config.content_type : 'form',
        secret: typeof config.secret === 'string' ? config.secret : null,
        events,
        active: ctx.body.active !== false,
        createdAt: Date.now(),
        lastResponse: { code: null, status: 'unused', message: null },
      };
      hooksOf(repo).push(hook);
      return { status: 201, body: hookJson(ctx.json, repo, hook) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/hooks/{hook_id}',
    handle: (ctx) => {
      const repo = adminRepo(ctx);
      return { status: 200, body: hookJson(ctx.json, repo, hookFrom(ctx, repo)) };
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/hooks/{hook_id}',
    handle: (ctx) => {
      const repo = adminRepo(ctx);
      const hook = hookFrom(ctx, repo);
      repo.hooks = hooksOf(repo).filter((h) => h !== hook);
      return { status: 204, text: '' };
    },
  },
];

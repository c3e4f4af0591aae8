// What setting a repository up needs from GitHub, beside the loops: the repository itself (is it
// reachable with this token?), one issue with its kind, the token's user and scopes, and webhooks.
import { z } from 'zod';
import type { ProjectRef } from '../forge.js';
import { call, type GitHubContext, parse, repoOf } from './context.js';
import { Issue, toIssueSummary, User } from './schemas.js';
import type { GitHubHook, GitHubIssueSummary, GitHubRepository, GitHubTokenInfo } from './types.js';

const Repository = z.object({
  full_name: z.string(),
  default_branch: z.string(),
  private: z.boolean(),
  html_url: z.string(),
  permissions: z
    .object({ admin: z.boolean(), push: z.boolean(), pull: z.boolean() })
    .partial()
    .optional(),
});

const Hook = z.object({
  id: z.number().int(),
  active: z.boolean(),
  events: z.array(z.string()),
  config: z.object({ url: z.string().optional(), content_type: z.string().optional() }),
  created_at: z.string().optional(),
  last_response: z
    .object({
      code: z.number().nullable().optional(),
      status: z.string().nullable().optional(),
      message: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});

function toHook(raw: z.infer<typeof Hook>): GitHubHook {
  const last = raw.last_response;
  return {
    id: raw.id,
    url: raw.config.url ?? '',
    contentType: raw.config.content_type ?? null,
    active: raw.active,
    events: raw.events,
    createdAt: raw.created_at ? Date.parse(raw.created_at) : null,
    lastResponse:
      last && (last.code != null || last.status != null)
        ? { code: last.code ?? null, status: last.status ?? null, message: last.message ?? null }
        : null,
  };
}

/** `x-oauth-scopes: repo, admin:repo_hook` → ['repo', 'admin:repo_hook']; absent → null. */
export function parseScopes(header: unknown): string[] | null {
  if (typeof header !== 'string') return null;
  return header
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
}

export function createAdmin(ctx: GitHubContext) {
  const { client } = ctx;
  return {
    async getRepository(project: ProjectRef): Promise<GitHubRepository> {
      const { owner, repo } = repoOf(project);
      const { data } = await call(`get repository ${owner}/${repo}`, () =>
        client.rest.repos.get({ owner, repo }),
      );
      const raw = parse(Repository, data, 'GET /repos/{owner}/{repo}');
      return {
        fullName: raw.full_name,
        defaultBranch: raw.default_branch,
        private: raw.private,
        url: raw.html_url,
        permissions: raw.permissions
          ? {
              admin: raw.permissions.admin ?? false,
              push: raw.permissions.push ?? false,
              pull: raw.permissions.pull ?? false,
            }
          : null,
      };
    },

    async getIssueSummary(project: ProjectRef, number: number): Promise<GitHubIssueSummary> {
      const { owner, repo } = repoOf(project);
      const { data } = await call(`get issue #${number}`, () =>
        client.rest.issues.get({ owner, repo, issue_number: number }),
      );
      return toIssueSummary(parse(Issue, data, 'GET issue'));
    },

    async tokenInfo(): Promise<GitHubTokenInfo> {
      const response = await call('get the authenticated user', () =>
        client.rest.users.getAuthenticated(),
      );
      return {
        user: parse(User, response.data, 'GET /user'),
        scopes: parseScopes(response.headers['x-oauth-scopes']),
      };
    },

    async listHooks(project: ProjectRef): Promise<GitHubHook[]> {
      const { owner, repo } = repoOf(project);
      const rows = await call(`list the webhooks of ${owner}/${repo}`, () =>
        client.paginate(client.rest.repos.listWebhooks, { owner, repo, per_page: 100 }),
      );
      return rows.map((row) => toHook(parse(Hook, row, 'list webhooks')));
    },

    async createHook(
      project: ProjectRef,
      spec: { url: string; secret: string; events: readonly string[] },
    ): Promise<GitHubHook> {
      const { owner, repo } = repoOf(project);
      const { data } = await call(`create a webhook on ${owner}/${repo}`, () =>
        client.rest.repos.createWebhook({
          owner,
          repo,
          name: 'web',
          active: true,
          events: [...spec.events],
          config: { url: spec.url, content_type: 'json', secret: spec.secret, insecure_ssl: '0' },
        }),
      );
      return toHook(parse(Hook, data, 'create webhook'));
    },

    async deleteHook(project: ProjectRef, id: number): Promise<void> {
      const { owner, repo } = repoOf(project);
      await call(`delete webhook ${id} of ${owner}/${repo}`, () =>
        client.rest.repos.deleteWebhook({ owner, repo, hook_id: id }),
      );
    },
  };
}

// Conditional GETs for polling: the ETag of the last 200 is kept under a key and sent as
// If-None-Match; GitHub answers 304 (free: not counted against the rate limit) when nothing changed.
import { z } from 'zod';
import type { ProjectRef } from '../forge.js';
import { call, type GitHubContext, parse, repoOf, statusOf } from './context.js';
import { Issue, IssueEvent, toIssueEvent, toIssueSummary } from './schemas.js';
import type {
  ConditionalResult,
  EtagCache,
  GitHubIssueEvent,
  GitHubIssueSummary,
} from './types.js';

/** An EtagCache in memory (tests; a daemon passes one over the store's forge_cache). */
export function createMemoryEtagCache(): EtagCache {
  const etags = new Map<string, string>();
  return {
    get: async (key) => etags.get(key) ?? null,
    set: async (key, etag) => {
      etags.set(key, etag);
    },
  };
}

export function createConditional(ctx: GitHubContext, cache: EtagCache) {
  const conditionalGet = async <T = unknown>(
    route: string,
    params: Record<string, string | number | boolean>,
    cacheKey: string,
  ): Promise<ConditionalResult<T>> => {
    const etag = await cache.get(cacheKey);
    const headers = etag ? { 'if-none-match': etag } : {};
    const response = await call(route, async () => {
      try {
        return await ctx.client.request(route, { ...params, headers });
      } catch (error) {
        // Octokit reports 304 as an error; for us it is the cheap answer we asked for.
        if (statusOf(error) === 304) return null;
        throw error;
      }
    });
    if (response === null) return { notModified: true };
    const next = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    if (next) await cache.set(cacheKey, next);
    return { notModified: false, data: response.data as T, etag: next };
  };

  /** A 304 means: nothing changed since the last 200 under the same `since`. */
  const listIssuesSince = async (
    project: ProjectRef,
    since: string | null,
  ): Promise<ConditionalResult<GitHubIssueSummary[]>> => {
    const { owner, repo } = repoOf(project);
    const result = await conditionalGet(
      'GET /repos/{owner}/{repo}/issues',
      {
        owner,
        repo,
        state: 'all',
        sort: 'updated',
        direction: 'desc',
        per_page: 100,
        ...(since ? { since } : {}),
      },
      `github:issues:${owner}/${repo}:${since ?? 'all'}`,
    );
    if (result.notModified) return result;
    const rows = parse(z.array(Issue), result.data, 'list issues');
    return { notModified: false, data: rows.map(toIssueSummary), etag: result.etag };
  };

  const listEvents = async (
    project: ProjectRef,
  ): Promise<ConditionalResult<GitHubIssueEvent[]>> => {
    const { owner, repo } = repoOf(project);
    const result = await conditionalGet(
      'GET /repos/{owner}/{repo}/issues/events',
      { owner, repo, per_page: 100 },
      `github:issue-events:${owner}/${repo}`,
    );
    if (result.notModified) return result;
    const rows = parse(z.array(IssueEvent), result.data, 'list issue events');
    return { notModified: false, data: rows.map(toIssueEvent), etag: result.etag };
  };

  return { conditionalGet, listIssuesSince, listEvents };
}

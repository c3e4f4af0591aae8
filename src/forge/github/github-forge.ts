// The GitHub gateway: the Forge (and GitHubForge extras) over Octokit with throttling and retries.
// Built once by the composition root from `github.token`/GITHUB_TOKEN and the API URL.

import { createAdmin } from './admin.js';
import { createChecks } from './checks.js';
import { createComments } from './comments.js';
import { createConditional, createMemoryEtagCache } from './conditional.js';
import { call, createMe, type GitHubContext, parse, repoOf, statusOf } from './context.js';
import { createLabels } from './labels.js';
import { createLogs } from './logs.js';
import { createMerge } from './merge.js';
import { createClient, silentLog } from './octokit.js';
import { createPulls } from './pulls.js';
import { createReviews } from './reviews.js';
import { Issue, Permission, RateLimit, toIssue } from './schemas.js';
import type { GitHubForge, GitHubForgeOptions, RateLimitWindow, RepoPermission } from './types.js';

const roles: ReadonlySet<string> = new Set(['admin', 'maintain', 'write', 'triage', 'read']);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function toWindow(raw: { limit: number; remaining: number; used: number; reset: number }) {
  const window: RateLimitWindow = {
    limit: raw.limit,
    remaining: raw.remaining,
    used: raw.used,
    resetAt: raw.reset * 1000,
  };
  return window;
}

export function createGitHubForge(options: GitHubForgeOptions): GitHubForge {
  const client = createClient(options);
  const ctx: GitHubContext = {
    client,
    log: options.log ?? silentLog,
    sleep: options.sleep ?? defaultSleep,
    mergeability: {
      attempts: Math.max(options.mergeability?.attempts ?? 5, 1),
      delayMs: options.mergeability?.delayMs ?? 1000,
    },
    me: createMe(client),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
  const labels = createLabels(ctx);
  const comments = createComments(ctx);
  const pulls = createPulls(ctx);
  const reviews = createReviews(
    ctx,
    async (project, number) => (await pulls.getRaw(project, number)).user?.login ?? null,
  );
  const checks = createChecks(ctx);
  const logs = createLogs(ctx);
  const merge = createMerge(ctx, pulls.getRaw);
  const conditional = createConditional(ctx, options.etags ?? createMemoryEtagCache());
  const admin = createAdmin(ctx);

  return {
    kind: 'github',

    async getIssue(project, number) {
      const { owner, repo } = repoOf(project);
      const { data } = await call(`get issue #${number}`, () =>
        client.rest.issues.get({ owner, repo, issue_number: number }),
      );
      return toIssue(parse(Issue, data, 'GET issue'));
    },

    async createIssue(project, input) {
      const { owner, repo } = repoOf(project);
      const { data } = await call('create issue', () =>
        client.rest.issues.create({ owner, repo, title: input.title, body: input.body }),
      );
      return toIssue(parse(Issue, data, 'POST issue'));
    },

    setStateLabel: labels.setStateLabel,
    removeLabel: labels.removeLabel,
    addLabels: labels.addLabels,
    ensureLabels: labels.ensureLabels,

    upsertComment: comments.upsertComment,
    listComments: comments.listComments,
    findComment: comments.findComment,

    findPullRequest: pulls.findPullRequest,
    getPullRequest: pulls.getPullRequest,
    openPullRequest: pulls.openPullRequest,
    updatePullRequest: pulls.updatePullRequest,
    markReady: pulls.markReady,
    getPullRequestState: pulls.getPullRequestState,
    getMergeability: pulls.getMergeability,
    requestReviewers: pulls.requestReviewers,
    enableAutoMerge: merge.enableAutoMerge,

    listReviews: reviews.listReviews,
    publishReview: reviews.publishReview,
    listReviewThreads: reviews.listReviewThreads,
    replyToReviewThread: reviews.replyToReviewThread,
    resolveReviewThread: reviews.resolveReviewThread,

    getChecks: checks.getChecks,
    setCommitStatus: checks.setCommitStatus,
    checkRunLog: logs.checkRunLog,

    conditionalGet: conditional.conditionalGet,
    listIssuesSince: conditional.listIssuesSince,
    listEvents: conditional.listEvents,

    getAuthenticatedUser: ctx.me,

    getRepository: admin.getRepository,
    getIssueSummary: admin.getIssueSummary,
    tokenInfo: admin.tokenInfo,
    listHooks: admin.listHooks,
    createHook: admin.createHook,
    deleteHook: admin.deleteHook,

    async rateLimit() {
      const { data } = await call('get the rate limit', () => client.rest.rateLimit.get());
      const { resources } = parse(RateLimit, data, 'GET /rate_limit');
      return {
        core: toWindow(resources.core),
        graphql: resources.graphql ? toWindow(resources.graphql) : null,
      };
    },

    async permissionOf(project, user): Promise<RepoPermission> {
      const { owner, repo } = repoOf(project);
      try {
        const { data } = await client.rest.repos.getCollaboratorPermissionLevel({
          owner,
          repo,
          username: user,
        });
        const { permission, role_name: role } = parse(Permission, data, 'collaborator permission');
        if (role && roles.has(role)) return role as RepoPermission;
        return roles.has(permission) ? (permission as RepoPermission) : 'none';
      } catch (error) {
        // No such user (or not visible to the token): no permission at all.
        if (statusOf(error) === 404) return 'none';
        return call('get a collaborator permission', () => Promise.reject(error));
      }
    },
  };
}

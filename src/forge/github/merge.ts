// `loop.auto-merge`: GitHub's auto-merge (GraphQL `enablePullRequestAutoMerge`) waits for branch
// protection; when nothing is left to wait for GitHub refuses it ("clean status") and the PR is
// merged now, pinned to the head SHA that was judged so a newer push is never merged.
import type { ProjectRef } from '../forge.js';
import { call, type GitHubContext, parse, repoOf, statusOf } from './context.js';
import { enableAutoMergeMutation, graphql, graphqlErrorOf } from './graphql.js';
import { MergeResult, type PullRequest, pullRequestState } from './schemas.js';
import type { AutoMergeResult, MergeMethod } from './types.js';

const cleanStatus = /\bclean status\b/i;

/** GitHub's message in a REST error body, else the error's own. */
function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data;
  const message = (data as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message !== '') return message;
  return error instanceof Error ? error.message : String(error);
}

export function createMerge(
  ctx: GitHubContext,
  getRaw: (project: ProjectRef, number: number) => Promise<PullRequest>,
) {
  const mergeNow = async (
    project: ProjectRef,
    number: number,
    headSha: string,
    method: MergeMethod,
  ): Promise<AutoMergeResult> => {
    const { owner, repo } = repoOf(project);
    let data: unknown;
    try {
      ({ data } = await ctx.client.rest.pulls.merge({
        owner,
        repo,
        pull_number: number,
        merge_method: method,
        sha: headSha,
      }));
    } catch (error) {
      // 405: not mergeable (conflict, draft, protection unmet); 409: the head moved since.
      const status = statusOf(error);
      if (status === 405 || status === 409) return { status: 'refused', reason: messageOf(error) };
      return call(`merge pull request #${number}`, () => Promise.reject(error));
    }
    const result = parse(MergeResult, data, 'merge pull request');
    if (!result.merged) {
      return { status: 'refused', reason: result.message ?? 'GitHub did not merge' };
    }
    return { status: 'merged', sha: result.sha ?? null };
  };

  const enableAutoMerge = async (
    project: ProjectRef,
    number: number,
    method: MergeMethod = 'squash',
  ): Promise<AutoMergeResult> => {
    const raw = await getRaw(project, number);
    const state = pullRequestState(raw);
    if (state === 'merged') return { status: 'merged', sha: raw.merge_commit_sha ?? null };
    if (state === 'closed') {
      return { status: 'refused', reason: `pull request #${number} is closed` };
    }
    if (raw.auto_merge) return { status: 'enabled' };
    try {
      await graphql(ctx, `enable auto-merge on #${number}`, enableAutoMergeMutation, {
        id: raw.node_id,
        // Not `method`: Octokit's graphql reads that variable name as the HTTP method.
        mergeMethod: method.toUpperCase(),
      });
      return { status: 'enabled' };
    } catch (error) {
      const refusal = graphqlErrorOf(error);
      // Not GitHub's judgement of this PR (network, 5xx after retries, rate limit): the caller's.
      if (refusal === null || refusal.type === 'RATE_LIMITED') throw error;
      if (!cleanStatus.test(refusal.message)) return { status: 'refused', reason: refusal.message };
    }
    ctx.log.info({ number }, 'nothing to wait for before merging; merging now');
    return mergeNow(project, number, raw.head.sha, method);
  };

  return { enableAutoMerge };
}

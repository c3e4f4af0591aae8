// Pull requests: found by head branch, opened as drafts (never twice), taken out of draft with the
// GraphQL mutation (REST `draft: false` is silently ignored), mergeability re-read while GitHub
// computes it, reviewers requested.
import { LooperError } from '../../domain/index.js';
import type {
  ForgePullRequest,
  OpenPullRequest,
  ProjectRef,
  PullRequestState,
  UpdatePullRequest,
} from '../forge.js';
import { call, type GitHubContext, parse, repoOf } from './context.js';
import { graphql, markReadyMutation } from './graphql.js';
import { PullRequest, pullRequestState, toPullRequest } from './schemas.js';
import type { Mergeability } from './types.js';

export function createPulls(ctx: GitHubContext) {
  const getRaw = async (project: ProjectRef, number: number) => {
    const { owner, repo } = repoOf(project);
    const { data } = await call(`get pull request #${number}`, () =>
      ctx.client.rest.pulls.get({ owner, repo, pull_number: number }),
    );
    return parse(PullRequest, data, 'GET pull request');
  };

  const getPullRequest = async (project: ProjectRef, number: number) =>
    toPullRequest(await getRaw(project, number));

  const findPullRequest = async (
    project: ProjectRef,
    query: { head: string },
  ): Promise<ForgePullRequest | null> => {
    const { owner, repo } = repoOf(project);
    const { data } = await call('list pull requests by head', () =>
      ctx.client.rest.pulls.list({
        owner,
        repo,
        head: `${owner}:${query.head}`,
        state: 'all',
        sort: 'created',
        direction: 'desc',
        per_page: 100,
      }),
    );
    const prs = data.map((row) => toPullRequest(parse(PullRequest, row, 'list pull requests')));
    return prs.find((pr) => pr.state === 'draft' || pr.state === 'open') ?? prs[0] ?? null;
  };

  const openPullRequest = async (project: ProjectRef, input: OpenPullRequest) => {
    const live = await findPullRequest(project, { head: input.head });
    if (live && (live.state === 'draft' || live.state === 'open')) return live;
    const { owner, repo } = repoOf(project);
    try {
      const { data } = await call('open a pull request', () =>
        ctx.client.rest.pulls.create({ owner, repo, ...input }),
      );
      return toPullRequest(parse(PullRequest, data, 'create pull request'));
    } catch (error) {
      // Opened concurrently (another node, a retried request that did land): use that one.
      const again = error instanceof LooperError && error.code === 'validation_failed';
      const found = again ? await findPullRequest(project, { head: input.head }) : null;
      if (found && (found.state === 'draft' || found.state === 'open')) return found;
      throw error;
    }
  };

  const updatePullRequest = async (
    project: ProjectRef,
    number: number,
    patch: UpdatePullRequest,
  ): Promise<ForgePullRequest> => {
    // headSha needs no call: GitHub follows the pushed branch.
    if (patch.title === undefined && patch.body === undefined && patch.state === undefined) {
      return getPullRequest(project, number);
    }
    const { owner, repo } = repoOf(project);
    // `state: 'open'` reopens a closed PR (a draft stays a draft); GitHub answers 422 for a merged
    // PR or one whose head branch is gone.
    const { data } = await call(`update pull request #${number}`, () =>
      ctx.client.rest.pulls.update({
        owner,
        repo,
        pull_number: number,
        ...(patch.title === undefined ? {} : { title: patch.title }),
        ...(patch.body === undefined ? {} : { body: patch.body }),
        ...(patch.state === undefined ? {} : { state: patch.state }),
      }),
    );
    return toPullRequest(parse(PullRequest, data, 'update pull request'));
  };

  const markReady = async (project: ProjectRef, number: number) => {
    const raw = await getRaw(project, number);
    const state = pullRequestState(raw);
    if (state === 'open') return;
    if (state !== 'draft') {
      throw new LooperError('conflict', `pull request #${number} is ${state}`);
    }
    await graphql(ctx, `mark pull request #${number} ready`, markReadyMutation, {
      id: raw.node_id,
    });
  };

  const getPullRequestState = async (
    project: ProjectRef,
    number: number,
  ): Promise<PullRequestState> => pullRequestState(await getRaw(project, number));

  const getMergeability = async (project: ProjectRef, number: number): Promise<Mergeability> => {
    const { attempts, delayMs } = ctx.mergeability;
    let raw = await getRaw(project, number);
    for (let attempt = 1; attempt < attempts; attempt += 1) {
      if (raw.state !== 'open' || (raw.mergeable ?? null) !== null) break;
      await ctx.sleep(delayMs);
      raw = await getRaw(project, number);
    }
    return {
      mergeable: raw.state === 'open' ? (raw.mergeable ?? null) : null,
      state: raw.mergeable_state ?? 'unknown',
      headSha: raw.head.sha,
    };
  };

  const requestReviewers = async (
    project: ProjectRef,
    number: number,
    reviewers: { users?: string[]; teams?: string[] },
  ) => {
    // GitHub refuses a review request from the PR's author, which is Looper itself.
    const me = (await ctx.me()).login.toLowerCase();
    const users = (reviewers.users ?? []).filter((u) => u.toLowerCase() !== me);
    const teams = reviewers.teams ?? [];
    if (users.length === 0 && teams.length === 0) return;
    const { owner, repo } = repoOf(project);
    await call(`request reviewers on #${number}`, () =>
      ctx.client.rest.pulls.requestReviewers({
        owner,
        repo,
        pull_number: number,
        reviewers: users,
        team_reviewers: teams,
      }),
    );
  };

  return {
    getRaw,
    getPullRequest,
    findPullRequest,
    openPullRequest,
    updatePullRequest,
    markReady,
    getPullRequestState,
    getMergeability,
    requestReviewers,
  };
}

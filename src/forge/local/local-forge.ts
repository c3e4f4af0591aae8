// The local forge (SPEC §10): issues, PRs, comments, reviews and statuses kept in Looper's own store
// for a plain git repository. The "PR" is the branch, its review and its checks.
import { LooperError, stateLabels } from '../../domain/index.js';
import type {
  ForgeDataRepo,
  LocalCommentRecord,
  LocalIssueRecord,
  LocalPullRequestRecord,
  LocalReviewRecord,
  Store,
} from '../../store/index.js';
import { aggregateChecks, checkStateOfStatus } from '../checks.js';
import type {
  Forge,
  ForgeComment,
  ForgeIssue,
  ForgePullRequest,
  ProjectRef,
  PullRequestState,
  ReviewLineComment,
  ReviewVerdict,
} from '../forge.js';

/** Who Looper's own comments and reviews are from. */
const LOOPER_AUTHOR = 'looper';

const looperStateLabels: ReadonlySet<string> = new Set(
  Object.values(stateLabels).filter((label): label is NonNullable<typeof label> => label !== null),
);

export interface ForgeReview {
  id: number;
  number: number;
  key: string;
  headSha: string;
  verdict: ReviewVerdict;
  body: string;
  comments: ReviewLineComment[];
  author: string;
  createdAt: number;
}

/** The Forge plus what the CLI and the demo need to play the human's part on a local repo. */
export interface LocalForge extends Forge {
  readonly kind: 'local';
  createIssue(
    project: ProjectRef,
    input: { title: string; body: string; labels?: string[] },
  ): Promise<ForgeIssue>;
  listIssues(project: ProjectRef): Promise<ForgeIssue[]>;
  addLabel(project: ProjectRef, number: number, label: string): Promise<void>;
  /** A comment by someone else (e.g. `/looper approve`), never edited by key. */
  addComment(
    project: ProjectRef,
    number: number,
    input: { author: string; body: string },
  ): Promise<ForgeComment>;
  listComments(project: ProjectRef, number: number): Promise<ForgeComment[]>;
  listReviews(project: ProjectRef, number: number): Promise<ForgeReview[]>;
  /** Merges, closes or reopens a local PR (what a person does on a hosted forge). */
  setPullRequestState(
    project: ProjectRef,
    number: number,
    state: PullRequestState,
  ): Promise<ForgePullRequest>;
}

export function localUrl(project: ProjectRef, number: number): string {
  return `local://${project.id}/${number}`;
}

function toIssue(project: ProjectRef, row: LocalIssueRecord): ForgeIssue {
  const { number, title, body, state, labels } = row;
  return { number, title, body, state, labels, url: localUrl(project, number) };
}

function prAsIssue(project: ProjectRef, pr: LocalPullRequestRecord): ForgeIssue {
  const state = pr.state === 'draft' || pr.state === 'open' ? 'open' : 'closed';
  const { number, title, body, labels } = pr;
  return { number, title, body, state, labels, url: localUrl(project, number) };
}

function toPullRequest(project: ProjectRef, row: LocalPullRequestRecord): ForgePullRequest {
  return {
    number: row.number,
    title: row.title,
    body: row.body,
    head: row.headBranch,
    base: row.baseBranch,
    headSha: row.headSha,
    state: row.state,
    url: localUrl(project, row.number),
  };
}

/** Like GitHub: `open` reopens a closed PR (an open or draft one stays as it is); a merged PR
 * can be neither reopened nor closed. */
function nextPrState(
  current: PullRequestState,
  wanted: 'open' | 'closed',
  number: number,
): PullRequestState | undefined {
  if (current === 'merged') {
    throw new LooperError('validation_failed', `pull request #${number} is merged`);
  }
  if (wanted === 'open') return current === 'closed' ? 'open' : undefined;
  return current === 'closed' ? undefined : 'closed';
}

function toComment(project: ProjectRef, row: LocalCommentRecord): ForgeComment {
  const { id, number, key, author, body, createdAt, updatedAt } = row;
  const url = `${localUrl(project, number)}#comment-${id}`;
  return { id, number, key, author, body, url, createdAt, updatedAt };
}

function toReview(row: LocalReviewRecord): ForgeReview {
  const { id, number, key, headSha, verdict, body, comments, author, createdAt } = row;
  return { id, number, key, headSha, verdict, body, comments, author, createdAt };
}

function notFound(project: ProjectRef, what: string, number: number): LooperError {
  return new LooperError('not_found', `${what} #${number} not found in project ${project.id}`);
}

/** Rewrites the labels of issue or PR #number (they share one number sequence). */
async function editLabels(
  data: ForgeDataRepo,
  project: ProjectRef,
  number: number,
  edit: (labels: string[]) => string[],
): Promise<void> {
  const issue = await data.getIssue(project.id, number);
  if (issue) {
    await data.updateIssue(project.id, number, { labels: edit(issue.labels) });
    return;
  }
  const pr = await data.getPullRequest(project.id, number);
  if (!pr) throw notFound(project, 'issue or pull request', number);
  await data.updatePullRequest(project.id, number, { labels: edit(pr.labels) });
}

/**
 * A Forge over the store's forge tables. Like any forge it is an outside system: call it outside
 * `store.transaction` (its label edits open their own transaction on the same connection).
 */
export function createLocalForge(store: Store): LocalForge {
  const data = store.forgeData;

  const getPr = async (project: ProjectRef, number: number) => {
    const pr = await data.getPullRequest(project.id, number);
    if (!pr) throw notFound(project, 'pull request', number);
    return pr;
  };

  return {
    kind: 'local',

    async getIssue(project, number) {
      const issue = await data.getIssue(project.id, number);
      if (issue) return toIssue(project, issue);
      const pr = await data.getPullRequest(project.id, number);
      if (pr) return prAsIssue(project, pr);
      throw notFound(project, 'issue', number);
    },

    async setStateLabel(project, number, label) {
      if (label !== null && !looperStateLabels.has(label)) {
        throw new LooperError('bad_request', `${label} is not a Looper state label`);
      }
      await store.transaction((tx) =>
        editLabels(tx.forgeData, project, number, (labels) => [
          ...labels.filter((l) => !looperStateLabels.has(l)),
          ...(label === null ? [] : [label]),
        ]),
      );
    },

    async removeLabel(project, number, label) {
      await store.transaction((tx) =>
        editLabels(tx.forgeData, project, number, (labels) => labels.filter((l) => l !== label)),
      );
    },

    async addLabel(project, number, label) {
      await store.transaction((tx) =>
        editLabels(tx.forgeData, project, number, (labels) =>
          labels.includes(label) ? labels : [...labels, label],
        ),
      );
    },

    async upsertComment(project, number, key, body) {
      const row = await data.upsertComment({
        projectId: project.id,
        number,
        key,
        author: LOOPER_AUTHOR,
        body,
      });
      return toComment(project, row);
    },

    async addComment(project, number, input) {
      const row = await data.addComment({ projectId: project.id, number, ...input });
      return toComment(project, row);
    },

    async listComments(project, number) {
      const rows = await data.listComments(project.id, number);
      return rows.map((row) => toComment(project, row));
    },

    async findPullRequest(project, query) {
      const prs = await data.listPullRequestsByHead(project.id, query.head);
      const live = prs.find((pr) => pr.state === 'draft' || pr.state === 'open');
      const found = live ?? prs[0];
      return found ? toPullRequest(project, found) : null;
    },

    async getPullRequest(project, number) {
      return toPullRequest(project, await getPr(project, number));
    },

    async openPullRequest(project, input) {
      const { pullRequest } = await data.insertPullRequest({
        projectId: project.id,
        title: input.title,
        body: input.body,
        headBranch: input.head,
        baseBranch: input.base,
        draft: input.draft,
      });
      return toPullRequest(project, pullRequest);
    },

    async updatePullRequest(project, number, patch) {
      const { state, ...rest } = patch;
      const pr = await getPr(project, number);
      const next = state === undefined ? undefined : nextPrState(pr.state, state, number);
      const updated = await data.updatePullRequest(project.id, number, {
        ...rest,
        ...(next === undefined ? {} : { state: next }),
      });
      if (!updated) throw notFound(project, 'pull request', number);
      return toPullRequest(project, updated);
    },

    async markReady(project, number) {
      const pr = await getPr(project, number);
      if (pr.state === 'open') return;
      if (pr.state !== 'draft') {
        throw new LooperError('conflict', `pull request #${number} is ${pr.state}`);
      }
      await data.updatePullRequest(project.id, number, { state: 'open' });
    },

    async setPullRequestState(project, number, state) {
      await getPr(project, number);
      const updated = await data.updatePullRequest(project.id, number, { state });
      if (!updated) throw notFound(project, 'pull request', number);
      return toPullRequest(project, updated);
    },

    async publishReview(project, number, review) {
      await getPr(project, number);
      await data.insertReviewOnce({
        projectId: project.id,
        number,
        key: review.key,
        headSha: review.headSha,
        verdict: review.verdict,
        body: review.body,
        comments: review.comments,
        author: LOOPER_AUTHOR,
      });
    },

    async listReviews(project, number) {
      const rows = await data.listReviews(project.id, number);
      return rows.map(toReview);
    },

    async setCommitStatus(project, sha, status) {
      await data.upsertStatus({
        projectId: project.id,
        sha,
        context: status.context,
        state: status.state,
        description: status.description,
        targetUrl: status.targetUrl ?? null,
      });
    },

    async getChecks(project, sha) {
      const statuses = await data.listStatuses(project.id, sha);
      const items = statuses.map((s) => ({
        name: s.context,
        state: checkStateOfStatus(s.state),
        description: s.description,
      }));
      return { state: aggregateChecks(items), items };
    },

    async getPullRequestState(project, number) {
      return (await getPr(project, number)).state;
    },

    async createIssue(project, input) {
      const row = await data.insertIssue({
        projectId: project.id,
        title: input.title,
        body: input.body,
        labels: input.labels ?? [],
      });
      return toIssue(project, row);
    },

    async listIssues(project) {
      const rows = await data.listIssues(project.id);
      return rows.map((row) => toIssue(project, row));
    },
  };
}

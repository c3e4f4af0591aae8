// The Forge interface: everything the runner asks of a code host (issues, labels, comments, PRs,
// reviews, commit statuses). GitHub and the local forge implement it; nothing here is host-specific.

export type ForgeKind = 'local' | 'github';

/** Enough of a project to address it on its forge. */
export interface ProjectRef {
  id: string;
  /** `owner/name` on a hosted forge. */
  repo: string | null;
  /** Local repository path (local forge). */
  path: string | null;
}

export interface ForgeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  url: string;
}

export interface ForgeComment {
  id: number;
  /** The issue or PR it is on. */
  number: number;
  /** Looper's idempotency key (hidden marker on GitHub); null for other people's comments. */
  key: string | null;
  author: string;
  body: string;
  url: string;
  createdAt: number;
  updatedAt: number;
}

export type PullRequestState = 'draft' | 'open' | 'merged' | 'closed';

export interface ForgePullRequest {
  number: number;
  title: string;
  body: string;
  /** Head branch name. */
  head: string;
  /** Base branch name. */
  base: string;
  headSha: string | null;
  state: PullRequestState;
  url: string;
  /** Labels on the PR (hosted forges; absent on the local forge). */
  labels?: string[];
  /** `owner/name` of the head branch's repository when it is not the PR's own (a fork), else null. */
  headRepo?: string | null;
}

export interface OpenPullRequest {
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
}

export interface UpdatePullRequest {
  title?: string;
  body?: string;
  headSha?: string;
  /** `open` reopens a closed (unmerged) PR, e.g. when its issue is labelled again. */
  state?: 'open' | 'closed';
}

export type ReviewVerdict = 'comment' | 'request_changes' | 'approve';

export interface ReviewLineComment {
  path: string;
  line: number;
  body: string;
}

export interface PublishReview {
  /** Idempotency key: publishing the same key twice leaves one review. */
  key: string;
  headSha: string;
  verdict: ReviewVerdict;
  body: string;
  comments: ReviewLineComment[];
}

export type CommitStatusState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  context: string;
  state: CommitStatusState;
  description: string;
  targetUrl?: string;
}

export type CheckState = 'pending' | 'success' | 'failure';

export interface CheckItem {
  name: string;
  state: CheckState;
  description: string;
  /** The check run's id (for a GitHub Actions run, its job id); absent for commit statuses. */
  id?: number;
  /** Where a person reads the details (the run's or status's target URL). */
  detailsUrl?: string | null;
}

export interface ForgeChecks {
  /** `none` when the forge reports no checks at all for the sha. */
  state: 'none' | CheckState;
  items: CheckItem[];
}

export interface Forge {
  readonly kind: ForgeKind;
  /** Throws LooperError('not_found'). */
  getIssue(project: ProjectRef, number: number): Promise<ForgeIssue>;
  /**
   * Removes every `looper:` state label (SPEC §3) and adds `label`, so exactly one (or, with null,
   * none) is on the issue/PR. Other labels are left alone.
   */
  setStateLabel(project: ProjectRef, number: number, label: string | null): Promise<void>;
  /** Removes one label if present (e.g. `looper:fix` once a fix loop is green). */
  removeLabel(project: ProjectRef, number: number, label: string): Promise<void>;
  /** Edits the comment carrying `key` in place, or creates it (the tracking comment). */
  upsertComment(
    project: ProjectRef,
    number: number,
    key: string,
    body: string,
  ): Promise<ForgeComment>;
  /** The open (draft or open) PR for the head branch, else the newest closed/merged one, else null. */
  findPullRequest(project: ProjectRef, query: { head: string }): Promise<ForgePullRequest | null>;
  /** Throws LooperError('not_found'). */
  getPullRequest(project: ProjectRef, number: number): Promise<ForgePullRequest>;
  /** Opens a PR, or returns the one already open for `head` (never a second). */
  openPullRequest(project: ProjectRef, input: OpenPullRequest): Promise<ForgePullRequest>;
  updatePullRequest(
    project: ProjectRef,
    number: number,
    patch: UpdatePullRequest,
  ): Promise<ForgePullRequest>;
  /** Takes a PR out of draft; a no-op when already open. Throws 'conflict' if merged or closed. */
  markReady(project: ProjectRef, number: number): Promise<void>;
  /** Idempotent by `review.key`. */
  publishReview(project: ProjectRef, number: number, review: PublishReview): Promise<void>;
  setCommitStatus(project: ProjectRef, sha: string, status: CommitStatus): Promise<void>;
  getChecks(project: ProjectRef, sha: string): Promise<ForgeChecks>;
  getPullRequestState(project: ProjectRef, number: number): Promise<PullRequestState>;
}

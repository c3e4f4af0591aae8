// The GitHub gateway's public types: the Forge plus what only GitHub offers (labels with colours,
// review threads, mergeability, permissions, conditional polling) and the options that build it.
import type { Forge, ForgeComment, ForgeIssue, ProjectRef } from '../forge.js';

/** The slice of a structured logger the gateway uses (pino fits). Never given the token. */
export interface ForgeLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface GitHubForgeOptions {
  /** REST base URL: https://api.github.com, or https://<host>/api/v3 on GitHub Enterprise. */
  apiUrl: string;
  token: string;
  log?: ForgeLog;
  throttle?: {
    /** Retries of a 5xx, a rate limit or a secondary rate limit before the call fails (default 5). */
    retries?: number;
    /** Backoff unit for 5xx retries: waits (n+1)² × this (default 1000 ms). */
    backoffMs?: number;
    /** Milliseconds per second of `Retry-After` (default 1000; tests shrink it). */
    retryAfterUnitMs?: number;
    /** Minimum spacing between writes, GitHub's advice against secondary limits (default 1000). */
    writeSpacingMs?: number;
    /** Writes that may go at once before the spacing applies (token bucket; default 3). */
    writeBurst?: number;
  };
  /** Reads of `mergeable` while GitHub computes it (default 5, 1000 ms apart). */
  mergeability?: { attempts?: number; delayMs?: number };
  /** Where conditional GETs keep their ETags (default: in memory). */
  etags?: EtagCache;
  /** Waiting between mergeability reads (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** The fetch Octokit uses (default the global one); e.g. one with a timeout per request. */
  fetch?: typeof fetch;
}

/** ETags by key, e.g. backed by the store's forge_cache table. */
export interface EtagCache {
  get(key: string): Promise<string | null>;
  set(key: string, etag: string): Promise<void>;
}

export type ConditionalResult<T> =
  | { notModified: true }
  | { notModified: false; data: T; etag: string | null };

export interface LabelSpec {
  name: string;
  /** Six hex digits, no '#'. */
  color: string;
  description: string;
}

export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface GitHubUser {
  login: string;
  id: number;
  type: string;
}

export interface RateLimitSnapshot {
  core: RateLimitWindow;
  graphql: RateLimitWindow | null;
}

export interface RateLimitWindow {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch milliseconds. */
  resetAt: number;
}

export interface Mergeability {
  /** null when GitHub was still computing it after every attempt, or the PR is closed. */
  mergeable: boolean | null;
  /** GitHub's mergeable_state: clean, dirty, blocked, behind, unstable, draft, unknown. */
  state: string;
  headSha: string;
}

export interface ReviewThreadComment {
  id: string;
  databaseId: number | null;
  author: string | null;
  body: string;
  createdAt: number;
  url: string;
}

export interface ReviewThread {
  /** GraphQL node id (reply and resolve take it). */
  id: string;
  path: string;
  line: number | null;
  isResolved: boolean;
  isOutdated: boolean;
  comments: ReviewThreadComment[];
}

export type PullReviewState =
  | 'COMMENTED'
  | 'APPROVED'
  | 'CHANGES_REQUESTED'
  | 'DISMISSED'
  | 'PENDING';

/** A submitted review on a PR (its body; inline comments live in review threads). */
export interface PullReview {
  id: number;
  author: string | null;
  state: PullReviewState;
  body: string;
  /** The head SHA the review was written against. */
  commitId: string | null;
  /** Epoch milliseconds; null for a pending review. */
  submittedAt: number | null;
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export type AutoMergeResult =
  /** GitHub merges once branch protection (required checks, reviews) is satisfied. */
  | { status: 'enabled' }
  /** Nothing was left to wait for (GitHub's "clean status"), so the PR was merged now. */
  | { status: 'merged'; sha: string | null }
  /** Auto-merge is off for the repo, the token may not merge, the PR is blocked…: why, verbatim. */
  | { status: 'refused'; reason: string };

export interface GitHubIssueSummary extends ForgeIssue {
  author: string | null;
  isPullRequest: boolean;
  updatedAt: number;
}

export interface GitHubIssueEvent {
  id: number;
  /** labeled, unlabeled, closed, reopened, merged, ready_for_review, … */
  event: string;
  actor: string | null;
  /** The issue or PR number, when GitHub includes the issue. */
  number: number | null;
  label: string | null;
  createdAt: number;
}

/** A repository as the token sees it (`GET /repos/{owner}/{repo}`). */
export interface GitHubRepository {
  fullName: string;
  defaultBranch: string;
  private: boolean;
  url: string;
  /** The token user's rights; null when GitHub does not say. */
  permissions: { admin: boolean; push: boolean; pull: boolean } | null;
}

export interface GitHubTokenInfo {
  user: GitHubUser;
  /** Classic token scopes from `x-oauth-scopes`; null when GitHub sends none (fine-grained, app). */
  scopes: string[] | null;
}

/** A repository webhook. */
export interface GitHubHook {
  id: number;
  url: string;
  contentType: string | null;
  active: boolean;
  events: string[];
  /** Epoch milliseconds. */
  createdAt: number | null;
  /** The answer to the latest delivery, when GitHub reports one. */
  lastResponse: { code: number | null; status: string | null; message: string | null } | null;
}

export interface GitHubForge extends Forge {
  readonly kind: 'github';
  /** The token's user (cached after the first call). */
  getAuthenticatedUser(): Promise<GitHubUser>;
  /** Opens an issue as the token's user (`looper run --repo owner/name --title …`). */
  createIssue(project: ProjectRef, input: { title: string; body: string }): Promise<ForgeIssue>;
  rateLimit(): Promise<RateLimitSnapshot>;
  /** Creates the missing labels (default: SPEC §3's) with their colours; returns the created. */
  ensureLabels(project: ProjectRef, labels?: readonly LabelSpec[]): Promise<string[]>;
  addLabels(project: ProjectRef, number: number, labels: string[]): Promise<void>;
  listComments(project: ProjectRef, number: number): Promise<ForgeComment[]>;
  /** Looper's comment carrying `key` (its hidden marker), or null. */
  findComment(project: ProjectRef, number: number, key: string): Promise<ForgeComment | null>;
  requestReviewers(
    project: ProjectRef,
    number: number,
    reviewers: { users?: string[]; teams?: string[] },
  ): Promise<void>;
  listReviewThreads(
    project: ProjectRef,
    number: number,
    options?: { unresolvedOnly?: boolean },
  ): Promise<ReviewThread[]>;
  replyToReviewThread(project: ProjectRef, threadId: string, body: string): Promise<void>;
  resolveReviewThread(project: ProjectRef, threadId: string): Promise<void>;
  /** Reads `mergeable`, re-reading while GitHub still computes it (null right after a push). */
  getMergeability(project: ProjectRef, number: number): Promise<Mergeability>;
  permissionOf(project: ProjectRef, user: string): Promise<RepoPermission>;
  /** Submitted reviews on a PR, oldest first. */
  listReviews(project: ProjectRef, number: number): Promise<PullReview[]>;
  /**
   * The end of a failed check run's log, for the fixer: the GitHub Actions job log (at most
   * `maxBytes`, default 64 KiB, from the end), else the check run's own output text; null when
   * neither exists (a third-party app that reports only a title).
   */
  checkRunLog(
    project: ProjectRef,
    checkRunId: number,
    options?: { maxBytes?: number },
  ): Promise<string | null>;
  /** `loop.auto-merge`: GraphQL `enablePullRequestAutoMerge`, or a merge now when nothing blocks. */
  enableAutoMerge(
    project: ProjectRef,
    number: number,
    method?: MergeMethod,
  ): Promise<AutoMergeResult>;
  /** A GET with If-None-Match from the cache under `cacheKey`; a 304 costs no rate limit. */
  conditionalGet<T = unknown>(
    route: string,
    params: Record<string, string | number | boolean>,
    cacheKey: string,
  ): Promise<ConditionalResult<T>>;
  /** Issues and PRs updated since `since` (ISO time; all when null), newest first, one page. */
  listIssuesSince(
    project: ProjectRef,
    since: string | null,
  ): Promise<ConditionalResult<GitHubIssueSummary[]>>;
  /** The repo's newest issue events (labeled, unlabeled, closed, …), one page. */
  listEvents(project: ProjectRef): Promise<ConditionalResult<GitHubIssueEvent[]>>;
  /** Throws LooperError('not_found' | 'unauthorized' | 'forbidden') when the token cannot read it. */
  getRepository(project: ProjectRef): Promise<GitHubRepository>;
  /** One issue, saying whether it is a pull request. */
  getIssueSummary(project: ProjectRef, number: number): Promise<GitHubIssueSummary>;
  /** The token's user and classic scopes (one uncached `GET /user`). */
  tokenInfo(): Promise<GitHubTokenInfo>;
  /** Needs admin on the repository (or the `admin:repo_hook` scope). */
  listHooks(project: ProjectRef): Promise<GitHubHook[]>;
  createHook(
    project: ProjectRef,
    spec: { url: string; secret: string; events: readonly string[] },
  ): Promise<GitHubHook>;
  deleteHook(project: ProjectRef, id: number): Promise<void>;
}

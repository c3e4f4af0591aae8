// The emulator object: its HTTP servers (the API, and a blob host for signed log downloads), its
// state, and the helpers through which tests act as people (open issues, label, comment, push,
// report CI, review, protect branches, merge) without counted requests.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createBlobHandler } from './blobs.js';
import {
  type CheckRunInput,
  type ReviewInput,
  reportCheckRun,
  reportStatus,
  type StatusInput,
  submitReview,
} from './ci.js';
import { FaultQueue } from './faults.js';
import { commitFiles, initBareRepo } from './git.js';
import type { JsonContext } from './json-core.js';
import { mergePull } from './merges.js';
import {
  addComment,
  addLabels,
  createIssue,
  ensureLabel,
  removeLabel,
  setIssueState,
} from './mutations.js';
import type { OpenApiValidator } from './openapi.js';
import { diffFiles, refreshPull } from './pulls.js';
import { openThread, openThreadReply } from './review-threads.js';
import type { RateState, Route } from './router.js';
import { type Counts, createHandler, type RequestRecord } from './server.js';
import {
  createState,
  type EmCheckRun,
  type EmComment,
  type EmIssue,
  type EmMergeMethod,
  type EmRepo,
  type EmReview,
  type EmReviewComment,
  type EmStatus,
  type EmThread,
  type EmulatorState,
  ensureUser,
  type RepoRole,
  settleBackground,
} from './state.js';
import { buildWebhookPayload, type WebhookPayloadInput } from './webhook-payloads.js';
import { sendWebhook, type WebhookDelivery, type WebhookResult } from './webhooks.js';

export interface GitHubEmulatorOptions {
  /** token → login. Default: { 'ghp_emulator_token': 'looper-bot' }. */
  tokens?: Record<string, string>;
  /** Core and GraphQL limit per user per hour (default 5000). */
  rateLimit?: number;
}

export interface CreateRepoOptions {
  defaultBranch?: string;
  /** Files of the initial commit (default a README). */
  files?: Record<string, string>;
  private?: boolean;
  collaborators?: Record<string, RepoRole>;
  /** The "Allow auto-merge" setting (default false, as on GitHub). */
  allowAutoMerge?: boolean;
}

const emptyCounts = (): Counts => ({
  counted: 0,
  notModified: 0,
  faults: 0,
  graphql: 0,
  total: 0,
  byRoute: {},
});

export class GitHubEmulator {
  readonly state: EmulatorState;
  readonly faults = new FaultQueue();
  readonly requests: RequestRecord[] = [];
  /** OpenAPI violations, unknown routes and emulator crashes; assert empty after each test. */
  readonly violations: string[] = [];
  counts: Counts = emptyCounts();
  url = '';
  /** Base URL of the second host (GitHub's blob storage: signed job-log downloads). */
  blobUrl = '';
  private readonly server: http.Server;
  private readonly blobServer: http.Server;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-ghemu-'));

  constructor(
    options: GitHubEmulatorOptions,
    readonly routes: Route[],
    /** Checks bodies against @octokit/openapi (also usable directly in tests). */
    readonly validator: OpenApiValidator,
    private readonly rate: RateState,
  ) {
    this.state = createState(options.tokens ?? { ghp_emulator_token: 'looper-bot' });
    this.server = http.createServer(
      createHandler({
        state: this.state,
        routes,
        faults: this.faults,
        validator,
        json: () => this.json,
        rateLimit: this.rate,
        counts: this.counts,
        requests: this.requests,
        violations: this.violations,
      }),
    );
    this.blobServer = http.createServer(
      createBlobHandler({ state: this.state, requests: this.requests }),
    );
  }

  get json(): JsonContext {
    return {
      api: this.url,
      html: 'https://github.emulator.test',
      blobs: this.blobUrl,
      state: this.state,
    };
  }

  async listen(): Promise<void> {
    const listen = (server: http.Server) =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      );
    this.url = await listen(this.server);
    this.blobUrl = await listen(this.blobServer);
  }

  async close(): Promise<void> {
    for (const server of [this.server, this.blobServer]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Waits for what GitHub does after answering (auto-merges); failures become violations. */
  async settled(): Promise<void> {
    for (const failure of await settleBackground(this.state)) {
      this.violations.push(`emulator background work failed: ${failure}`);
    }
  }

  /** Zeroes the counters (e.g. after setup, before measuring). */
  resetCounts(): void {
    Object.assign(this.counts, emptyCounts());
    this.requests.length = 0;
  }

  /** Throws when any response broke the OpenAPI description (or hit a route not emulated). */
  assertValid(): void {
    if (this.violations.length === 0) return;
    throw new Error(`GitHub emulator violations:\n${this.violations.join('\n')}`);
  }

  addToken(token: string, login: string): void {
    this.state.tokens.set(token, login);
    ensureUser(this.state, login);
  }

  repo(fullName: string): EmRepo {
    const repo = this.state.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no emulated repo ${fullName}`);
    return repo;
  }

  async createRepo(fullName: string, options: CreateRepoOptions = {}): Promise<EmRepo> {
    const [owner, name] = fullName.split('/') as [string, string];
    const defaultBranch = options.defaultBranch ?? 'main';
    const gitDir = path.join(this.dir, owner, `${name}.git`);
    await initBareRepo(gitDir, defaultBranch);
    await commitFiles(gitDir, {
      branch: defaultBranch,
      files: options.files ?? { 'README.md': `# ${name}\n` },
      message: 'Initial commit',
    });
    ensureUser(this.state, owner);
    const repo: EmRepo = {
      id: this.state.nextId(),
      owner,
      name,
      fullName,
      defaultBranch,
      private: options.private ?? false,
      gitDir,
      createdAt: Date.now(),
      labels: [],
      issues: new Map(),
      pulls: new Map(),
      comments: [],
      reviews: [],
      reviewComments: [],
      threads: [],
      checkRuns: [],
      statuses: [],
      events: [],
      collaborators: new Map(),
      lastNumber: 0,
      allowAutoMerge: options.allowAutoMerge ?? false,
      protections: new Map(),
    };
    this.state.repos.set(fullName.toLowerCase(), repo);
    for (const [login, role] of Object.entries(options.collaborators ?? {})) {
      this.setCollaborator(fullName, login, role);
    }
    return repo;
  }

  /** The clone URL: the bare repository's path. */
  cloneUrl(fullName: string): string {
    return this.repo(fullName).gitDir;
  }

  setCollaborator(fullName: string, login: string, role: RepoRole | null): void {
    ensureUser(this.state, login);
    if (role === null) this.repo(fullName).collaborators.delete(login);
    else this.repo(fullName).collaborators.set(login, role);
  }

  /** A push: a commit on `branch` (created from `from`, default the default branch). */
  commit(
    fullName: string,
    branch: string,
    files: Record<string, string | null>,
    message = 'Change files',
    from?: string,
  ): Promise<string> {
    const repo = this.repo(fullName);
    return commitFiles(repo.gitDir, {
      branch,
      files,
      message,
      from: from ?? `refs/heads/${repo.defaultBranch}`,
    });
  }

  createIssue(
    fullName: string,
    input: { title: string; body?: string; labels?: string[]; author?: string },
  ): EmIssue {
    const author = input.author ?? this.repo(fullName).owner;
    ensureUser(this.state, author);
    return createIssue(this.state, this.repo(fullName), { ...input, author });
  }

  issue(fullName: string, number: number): EmIssue {
    const issue = this.repo(fullName).issues.get(number);
    if (!issue) throw new Error(`no issue #${number} in ${fullName}`);
    return issue;
  }

  addLabel(fullName: string, number: number, label: string, actor: string, color?: string): void {
    ensureUser(this.state, actor);
    const repo = this.repo(fullName);
    if (color) ensureLabel(this.state, repo, label, color);
    addLabels(this.state, repo, this.issue(fullName, number), [label], actor);
  }

  removeLabel(fullName: string, number: number, label: string, actor: string): void {
    removeLabel(this.state, this.repo(fullName), this.issue(fullName, number), label, actor);
  }

  comment(fullName: string, number: number, body: string, author: string): EmComment {
    ensureUser(this.state, author);
    return addComment(this.state, this.repo(fullName), this.issue(fullName, number), body, author);
  }

  /** A check run (its id is also its Actions job id); may complete a pending auto-merge. */
  addCheckRun(fullName: string, sha: string, input: CheckRunInput): EmCheckRun {
    return reportCheckRun(this.state, this.repo(fullName), sha, input);
  }

  /** A commit status; may complete a pending auto-merge. */
  addStatus(fullName: string, sha: string, input: StatusInput): EmStatus {
    return reportStatus(this.state, this.repo(fullName), sha, input);
  }

  /** The repository's "Allow auto-merge" setting. */
  setAllowAutoMerge(fullName: string, allowed = true): void {
    this.repo(fullName).allowAutoMerge = allowed;
  }

  /** Branch protection: merges into `branch` need these checks green (empty: unprotected). */
  protectBranch(fullName: string, branch: string, input: { requiredChecks: string[] }): void {
    const repo = this.repo(fullName);
    repo.protections ??= new Map();
    if (input.requiredChecks.length === 0) repo.protections.delete(branch);
    else repo.protections.set(branch, { requiredChecks: [...input.requiredChecks] });
  }

  /** A person's submitted review (nobody may approve or request changes on their own PR). */
  addReview(fullName: string, number: number, input: ReviewInput): EmReview {
    const pull = this.repo(fullName).pulls.get(number);
    if (!pull) throw new Error(`no PR #${number} in ${fullName}`);
    return submitReview(this.state, this.repo(fullName), this.issue(fullName, number), pull, input);
  }

  /** Says the PR's head comes from a fork (`head.repo` in its JSON); the branch stays here. */
  setPullHeadRepo(fullName: string, number: number, headRepo: string | null): void {
    const pull = this.repo(fullName).pulls.get(number);
    if (!pull) throw new Error(`no PR #${number} in ${fullName}`);
    if (headRepo === null) delete pull.headRepo;
    else pull.headRepo = headRepo;
  }

  /** A person's inline comment on a PR line (must be in the diff), opening a thread. */
  async addReviewComment(
    fullName: string,
    number: number,
    input: { path: string; line: number; body: string; author: string },
  ): Promise<{ thread: EmThread; comment: EmReviewComment }> {
    const repo = this.repo(fullName);
    const pull = repo.pulls.get(number);
    if (!pull) throw new Error(`no PR #${number} in ${fullName}`);
    await refreshPull(repo, this.issue(fullName, number), pull);
    const file = (await diffFiles(repo, pull)).find((f) => f.filename === input.path);
    const diffHunk = file?.hunkOf.get(input.line);
    if (diffHunk === undefined) throw new Error(`${input.path}:${input.line} is not in the diff`);
    ensureUser(this.state, input.author);
    return openThread(this.state, repo, pull, {
      ...input,
      commitId: pull.headSha,
      diffHunk,
      reviewId: null,
    });
  }

  replyInThread(fullName: string, threadId: number, body: string, author: string) {
    const repo = this.repo(fullName);
    const thread = repo.threads.find((t) => t.id === threadId);
    if (!thread) throw new Error(`no thread ${threadId}`);
    return openThreadReply(this.state, repo, thread, { body, author });
  }

  /**
   * A person merges the PR. Without `method` only the PR's state changes (the base branch is left
   * alone); with one, a real merge commit, squash or rebase lands on the base branch, refused like
   * `PUT …/merge` (an HttpError 405/409) when GitHub would refuse it.
   */
  async mergePullRequest(
    fullName: string,
    number: number,
    by: string,
    options: { method?: EmMergeMethod } = {},
  ): Promise<void> {
    const repo = this.repo(fullName);
    const pull = repo.pulls.get(number);
    if (!pull) throw new Error(`no PR #${number} in ${fullName}`);
    const issue = this.issue(fullName, number);
    if (options.method) {
      await mergePull(this.state, repo, issue, pull, { method: options.method, by });
      return;
    }
    await refreshPull(repo, issue, pull);
    pull.merged = true;
    pull.mergedAt = Date.now();
    pull.mergedBy = by;
    setIssueState(this.state, repo, issue, 'closed', by);
  }

  webhookPayload(input: WebhookPayloadInput): Promise<Record<string, unknown>> {
    return buildWebhookPayload(this.json, this.repo(input.repo), input);
  }

  sendWebhook(delivery: WebhookDelivery): Promise<WebhookResult> {
    return sendWebhook(delivery);
  }
}

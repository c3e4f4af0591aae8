// Wires GitHub projects: the gateway (with ETags kept in the store), how the runner reaches a GitHub
// project (clone, base ref, push with the token), the poller's feeds, and the webhook receiver. Only
// the composition root uses this.
import { join } from 'node:path';
import type { WebhookReceiver } from '../api/index.js';
import type { Config } from '../config/index.js';
import {
  createGitHubForge,
  type EtagCache,
  type GitHubForge,
  type ProjectRef,
  type PullReview,
} from '../forge/index.js';
import type { Git } from '../git/index.js';
import type { PersonReview, ProjectAccess, RunnerLog } from '../runner/index.js';
import {
  type Intake,
  type MergeWatch,
  nudgeFromWebhook,
  type PolledComment,
  type PolledIssue,
  type PolledLabelEvent,
  type PollSource,
  triggerFromWebhook,
} from '../scheduler/index.js';
import type { ProjectRecord, Store } from '../store/index.js';
import { cloneUrlFor } from './projects.js';

export function storeEtags(store: Store): EtagCache {
  return {
    get: async (key) => (await store.intake.getCached(`etag:${key}`))?.etag ?? null,
    set: (key, etag) => store.intake.putCached(`etag:${key}`, etag, ''),
  };
}

export function buildGitHubForge(
  config: Config,
  token: string,
  store: Store,
  log: RunnerLog,
  /** The fetch the gateway uses (default the global one), e.g. one that watches rate limits. */
  fetch?: typeof globalThis.fetch,
): GitHubForge {
  return createGitHubForge({
    apiUrl: config.github['api-url'],
    token,
    log,
    etags: storeEtags(store),
    ...(fetch ? { fetch } : {}),
    throttle: {
      writeSpacingMs: config.github['write-spacing-ms'],
      writeBurst: config.github['write-burst'],
    },
  });
}

/** A GitHub project is worked on in Looper's clone (or the configured path), branched from origin. */
export function gitHubAccess(options: {
  forge: GitHubForge;
  git: Git;
  config: Config;
  dataDir: string;
  token: string;
}) {
  return (project: ProjectRecord): ProjectAccess => {
    const repo = project.repo ?? '';
    const auth = options.token === '' ? undefined : { token: options.token };
    return {
      forge: options.forge,
      repoPath: () =>
        options.git.ensureClone({
          url: cloneUrlFor(options.config, repo),
          dir: project.path ?? join(options.dataDir, 'repos', ...repo.split('/')),
          auth,
        }),
      baseRef: `origin/${project.baseBranch}`,
      push: { auth },
      reviewThreads: gitHubReviewThreads(options.forge),
      mergeable: async (ref, number) =>
        (await options.forge.getMergeability(ref, number)).mergeable,
      requestReviewers: async (ref, number) => {
        const users = options.config.projects.find((p) => p.repo === project.repo)?.reviewers ?? [];
        if (users.length > 0) await options.forge.requestReviewers(ref, number, { users });
      },
      changeRequests: (ref, number) => standingChangeRequests(options.forge, ref, number),
      checkLog: async (ref, item) =>
        item.id === undefined ? null : options.forge.checkRunLog(ref, item.id),
      autoMerge: (ref, number) =>
        options.forge.enableAutoMerge(ref, number, options.config.loop['merge-method']),
    };
  };
}

/**
 * People's CHANGES_REQUESTED reviews that still stand: each reviewer's latest verdict (a later
 * approval or a dismissal takes it back; plain comments do not), never Looper's own.
 */
async function standingChangeRequests(
  forge: GitHubForge,
  ref: ProjectRef,
  number: number,
): Promise<PersonReview[]> {
  const me = (await forge.getAuthenticatedUser()).login.toLowerCase();
  const latest = new Map<string, PullReview>();
  for (const review of await forge.listReviews(ref, number)) {
    const author = (review.author ?? '').toLowerCase();
    if (
      author === '' ||
      author === me ||
      review.state === 'COMMENTED' ||
      review.state === 'PENDING'
    )
      continue;
    latest.set(author, review);
  }
  return [...latest.values()]
    .filter((r) => r.state === 'CHANGES_REQUESTED')
    .map((r) => ({ id: r.id, author: r.author ?? '', body: r.body, submittedAt: r.submittedAt }));
}

/** People's unresolved review threads (the first comment is not the token user's), reply, resolve. */
function gitHubReviewThreads(forge: GitHubForge): NonNullable<ProjectAccess['reviewThreads']> {
  return {
    async list(ref, number) {
      const me = (await forge.getAuthenticatedUser()).login.toLowerCase();
      const threads = await forge.listReviewThreads(ref, number, { unresolvedOnly: true });
      return threads.flatMap((t) => {
        const first = t.comments[0];
        if (!first || (first.author ?? '').toLowerCase() === me) return [];
        return [{ id: t.id, path: t.path, line: t.line, body: first.body, author: first.author }];
      });
    },
    reply: (ref, threadId, body) => forge.replyToReviewThread(ref, threadId, body),
    resolve: (ref, threadId) => forge.resolveReviewThread(ref, threadId),
  };
}

interface RawIssue {
  number: number;
  title: string;
  body?: string | null;
  pull_request?: unknown;
}

interface RawEvent {
  id: number;
  event: string;
  actor?: { login: string } | null;
  label?: { name: string } | null;
  issue?: RawIssue | null;
}

interface RawOpenedIssue extends RawIssue {
  id: number;
  user?: { login: string } | null;
}

interface RawComment {
  id: number;
  body?: string;
  user?: { login: string } | null;
  issue_url: string;
  html_url: string;
}

export interface PullSnapshot {
  number: number;
  url: string;
  state: 'open' | 'draft' | 'merged' | 'closed';
  headSha: string;
  /** The response's ETag ('' when GitHub sent none): it changes whenever the PR does. */
  etag: string;
}

interface RawPull {
  number: number;
  html_url: string;
  state: string;
  merged_at?: string | null;
  draft?: boolean;
  head: { sha: string };
}

/**
 * A PR as last seen, read with a conditional GET: a 304 (free) answers from the snapshot kept in
 * the store. The merge watch and `GET /loops` share it, so listing loops costs no rate limit.
 */
export function gitHubPullSnapshots(forge: GitHubForge, store: Store) {
  const keyOf = (project: ProjectRef, number: number) => `pull:${project.repo}#${number}`;

  /** The snapshot as last seen, without a request; null when the PR was never read. */
  async function cached(project: ProjectRef, number: number): Promise<PullSnapshot | null> {
    const body = (await store.intake.getCached(`snapshot:${keyOf(project, number)}`))?.body;
    return body ? (JSON.parse(body) as PullSnapshot) : null;
  }

  async function read(project: ProjectRef, number: number, retried = false): Promise<PullSnapshot> {
    const [owner = '', repo = ''] = (project.repo ?? '').split('/');
    const key = keyOf(project, number);
    const result = await forge.conditionalGet<RawPull>(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      { owner, repo, pull_number: number },
      key,
    );
    if (result.notModified) {
      const seen = await cached(project, number);
      if (seen) return seen;
      if (retried) throw new Error(`no snapshot of ${project.repo}#${number} after a full read`);
      // An ETag without a snapshot (kept by an older version): read it in full once.
      await store.intake.putCached(`etag:${key}`, null, '');
      return read(project, number, true);
    }
    const pr = result.data;
    const snapshot: PullSnapshot = {
      number: pr.number,
      url: pr.html_url,
      state: pr.merged_at
        ? 'merged'
        : pr.state === 'closed'
          ? 'closed'
          : pr.draft
            ? 'draft'
            : 'open',
      headSha: pr.head.sha,
      etag: result.etag ?? `${Date.now()}`,
    };
    await store.intake.putCached(`snapshot:${key}`, null, JSON.stringify(snapshot));
    return snapshot;
  }
  return { read, cached };
}

/** The poller's feeds as conditional GETs: an unchanged repository answers 304, which is free. */
export function gitHubPollSource(forge: GitHubForge, store: Store): PollSource {
  const pulls = gitHubPullSnapshots(forge, store);
  const parts = (project: ProjectRef) => {
    const [owner = '', repo = ''] = (project.repo ?? '').split('/');
    return { owner, repo };
  };
  return {
    async issueEvents(project) {
      const result = await forge.conditionalGet<RawEvent[]>(
        'GET /repos/{owner}/{repo}/issues/events',
        { ...parts(project), per_page: 100 },
        `events:${project.repo}`,
      );
      if (result.notModified) return null;
      return result.data.flatMap((e): PolledLabelEvent[] =>
        e.issue
          ? [
              {
                id: e.id,
                event: e.event,
                label: e.label?.name ?? null,
                actor: e.actor?.login ?? '',
                number: e.issue.number,
                title: e.issue.title,
                body: e.issue.body ?? '',
                isPullRequest: e.issue.pull_request != null,
              },
            ]
          : [],
      );
    },
    async forget(project) {
      for (const feed of ['events', 'comments', 'issues'])
        await store.intake.putCached(`etag:${feed}:${project.repo}`, null, '');
    },
    async pullRequestActivity(project, number) {
      const pull = await pulls.read(project, number);
      const key = `watched:${project.repo}#${number}`;
      // The snapshot's ETag says whether the PR moved since the merge watch last looked (others,
      // such as `GET /loops`, read the same cached snapshot without consuming the change).
      const seen = (await store.intake.getCached(key))?.body ?? '';
      const prChanged = pull.etag !== seen;
      if (prChanged) await store.intake.putCached(key, null, pull.etag);
      // The PR's own ETag does not move when CI reports on its head: ask for the head's checks too.
      let checksChanged = false;
      for (const route of [
        'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
        'GET /repos/{owner}/{repo}/commits/{ref}/status',
      ]) {
        const checks = await forge.conditionalGet(
          route,
          { ...parts(project), ref: pull.headSha },
          `${route.endsWith('status') ? 'status' : 'check-runs'}:${project.repo}@${pull.headSha}`,
        );
        if (!checks.notModified) checksChanged = true;
      }
      return prChanged || checksChanged ? { state: pull.state } : null;
    },
    async openedIssues(project) {
      const result = await forge.conditionalGet<RawOpenedIssue[]>(
        'GET /repos/{owner}/{repo}/issues',
        { ...parts(project), state: 'open', sort: 'created', direction: 'desc', per_page: 30 },
        `issues:${project.repo}`,
      );
      if (result.notModified) return null;
      return result.data
        .filter((i) => i.pull_request == null)
        .map(
          (i): PolledIssue => ({
            id: i.id,
            number: i.number,
            author: i.user?.login ?? '',
            title: i.title,
            body: i.body ?? '',
          }),
        );
    },
    async issueComments(project) {
      const result = await forge.conditionalGet<RawComment[]>(
        'GET /repos/{owner}/{repo}/issues/comments',
        { ...parts(project), sort: 'created', direction: 'desc', per_page: 50 },
        `comments:${project.repo}`,
      );
      if (result.notModified) return null;
      return result.data.map(
        (c): PolledComment => ({
          id: c.id,
          number: Number(c.issue_url.split('/').pop()),
          actor: c.user?.login ?? '',
          body: c.body ?? '',
          isPullRequest: c.html_url.includes('/pull/'),
        }),
      );
    },
  };
}

/** Verified deliveries → de-duplicated by delivery id → triggers → the admit path. */
export function gitHubWebhooks(options: {
  /** A function when the secret may appear later (`looper webhook enable` generates one). */
  secret: string | (() => string);
  store: Store;
  intake: Pick<Intake, 'admit'>;
  mergeWatch?: Pick<MergeWatch, 'nudge'>;
  /** Whether a login is Looper's own (its actions need no second look by the merge watch). */
  isSelf?: (login: string) => Promise<boolean>;
}): WebhookReceiver {
  const { secret } = options;
  return {
    get secret() {
      return typeof secret === 'function' ? secret() : secret;
    },
    async receive(delivery) {
      const action = typeof delivery.payload.action === 'string' ? delivery.payload.action : null;
      if (!(await options.store.intake.recordDelivery(delivery.id, delivery.event, action))) {
        return { accepted: false, reason: `delivery ${delivery.id} was already received` };
      }
      const trigger = await triggerFromWebhook(delivery.event, delivery.payload, (repo) =>
        options.store.projects.findProjectByRepo(repo),
      );
      if (trigger !== null) return options.intake.admit(trigger);
      const nudge = options.mergeWatch ? nudgeFromWebhook(delivery.event, delivery.payload) : null;
      const project = nudge ? await options.store.projects.findProjectByRepo(nudge.repo) : null;
      if (nudge && project && options.mergeWatch) {
        if (nudge.sender && (await options.isSelf?.(nudge.sender))) {
          return { accepted: false, reason: "Looper's own action needs no second look" };
        }
        const changed = await options.mergeWatch.nudge(project, nudge.numbers, nudge.sha);
        return { accepted: changed > 0, reason: `merge watch: ${changed} loop(s) changed` };
      }
      return {
        accepted: false,
        reason: `${delivery.event}${action ? `.${action}` : ''} needs no action`,
      };
    },
  };
}

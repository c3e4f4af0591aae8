// The poller: every `daemon.poll-interval-secs`, asks each hosted-forge project for new issue events
// (labels) and comments with conditional requests, so an idle repository costs no counted requests.
// New items become triggers on the same admit path as webhooks; history before the first poll is
// never acted on.
import type { ProjectRef } from '../forge/index.js';
import type { RunnerLog } from '../runner/index.js';
import type { ProjectRecord, Store } from '../store/index.js';
import type { Intake, Trigger } from './intake.js';
import { watchedStages } from './merge-watch.js';

export interface PolledLabelEvent {
  id: number;
  event: string;
  label: string | null;
  actor: string;
  number: number;
  title: string;
  body: string;
  isPullRequest: boolean;
}

export interface PolledIssue {
  /** The issue's id (grows with time), the cursor of the feed. */
  id: number;
  number: number;
  author: string;
  title: string;
  body: string;
}

export interface PolledComment {
  id: number;
  number: number;
  actor: string;
  body: string;
  isPullRequest: boolean;
}

/** One project's feeds; null means "not modified since the last request" (a free 304). */
export interface PollSource {
  issueEvents(project: ProjectRef): Promise<PolledLabelEvent[] | null>;
  issueComments(project: ProjectRef): Promise<PolledComment[] | null>;
  /** The newest open issues (not PRs), for `auto.authors` rules; null when unchanged. */
  openedIssues?(project: ProjectRef): Promise<PolledIssue[] | null>;
  /** Drops the cached ETags, so the next poll reads the feeds in full. */
  forget?(project: ProjectRef): Promise<void>;
  /**
   * Merge watch of a PR Looper handed to people: its state when the PR or the checks on its head
   * changed since the last look (conditional requests, free when unchanged); null when nothing did.
   */
  pullRequestActivity(project: ProjectRef, number: number): Promise<PullRequestActivity | null>;
}

export interface PullRequestActivity {
  state: 'open' | 'draft' | 'merged' | 'closed';
}

export interface PollerOptions {
  store: Store;
  intake: Pick<Intake, 'admit'>;
  sourceFor: (project: ProjectRecord) => PollSource;
  /** Looks at a watched loop's PR again (the runner's merge watch) and queues it when it must act. */
  watch: (loopId: string) => Promise<unknown>;
  intervalMs: number;
  log: RunnerLog;
  /** Whether a project has `auto.authors` rules, so its new issues are worth asking for. */
  watchesAuthors?: (project: ProjectRecord) => boolean;
}

export interface Poller {
  start(): void;
  stop(): void;
  /** One pass over every hosted-forge project; returns how many triggers were admitted. */
  pollOnce(): Promise<number>;
}

async function cursor(store: Store, key: string): Promise<number | null> {
  const cached = await store.intake.getCached(key);
  return cached ? Number(cached.body) : null;
}

export function createPoller(options: PollerOptions): Poller {
  const { store, log } = options;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  /** Feeds items newer than the stored cursor to `admit`; the first sight only sets the cursor. */
  async function advance<T extends { id: number }>(
    key: string,
    items: T[] | null,
    toTrigger: (item: T) => Trigger | null,
  ): Promise<number> {
    if (items === null) return 0;
    const last = await cursor(store, key);
    // An empty first sight still starts the cursor: the repo's first label later is news, not history.
    const newest = Math.max(0, ...items.map((i) => i.id));
    let admitted = 0;
    if (last !== null) {
      for (const item of [...items].filter((i) => i.id > last).sort((a, b) => a.id - b.id)) {
        const trigger = toTrigger(item);
        if (trigger && (await options.intake.admit(trigger)).accepted) admitted++;
        // The cursor moves item by item: if a later admit throws, this one is not seen twice.
        await store.intake.putCached(key, null, String(item.id));
      }
    }
    if (last === null || newest > last) await store.intake.putCached(key, null, String(newest));
    return admitted;
  }

  async function pollProject(project: ProjectRecord): Promise<number> {
    const ref = { id: project.id, repo: project.repo, path: project.path };
    const source = options.sourceFor(project);
    const events = await advance(
      `cursor:events:${project.repo}`,
      await source.issueEvents(ref),
      (e) =>
        e.event === 'labeled' && e.label
          ? {
              type: 'label',
              project,
              number: e.number,
              isPullRequest: e.isPullRequest,
              label: e.label,
              actor: e.actor,
              title: e.title,
              body: e.body,
              source: 'poll',
            }
          : null,
    );
    const comments = await advance(
      `cursor:comments:${project.repo}`,
      await source.issueComments(ref),
      (c) => ({
        type: 'comment',
        project,
        number: c.number,
        isPullRequest: c.isPullRequest,
        actor: c.actor,
        body: c.body,
        source: 'poll',
      }),
    );
    const issues =
      source.openedIssues && options.watchesAuthors?.(project)
        ? await advance(`cursor:issues:${project.repo}`, await source.openedIssues(ref), (i) => ({
            type: 'opened',
            project,
            number: i.number,
            actor: i.author,
            title: i.title,
            body: i.body,
            source: 'poll',
          }))
        : 0;
    return events + comments + issues + (await watchMerges(project, ref, source));
  }

  /**
   * Merge watch (SPEC §3.10): loops at `ready` (and stopped ones, for merge/close) whose PR or CI
   * changed are looked at again by the runner.
   */
  async function watchMerges(
    project: ProjectRecord,
    ref: ProjectRef,
    source: PollSource,
  ): Promise<number> {
    let looked = 0;
    for (const stage of watchedStages) {
      for (const loop of await store.loops.listLoops({
        projectId: project.id,
        stage,
        limit: 500,
      })) {
        if (loop.prNumber === null) continue;
        const activity = await source.pullRequestActivity(ref, loop.prNumber);
        if (activity === null) continue;
        // A stopped loop only follows its PR to merged or closed.
        if (stage === 'needs_human' && activity.state !== 'merged' && activity.state !== 'closed')
          continue;
        await options.watch(loop.id);
        looked++;
      }
    }
    return looked;
  }

  async function pollOnce(): Promise<number> {
    let admitted = 0;
    for (const project of await store.projects.listProjects()) {
      if (project.forge !== 'github' || project.repo === null) continue;
      try {
        admitted += await pollProject(project);
      } catch (error) {
        log.warn({ repo: project.repo, error: String(error) }, 'polling a project failed');
        // The feed's ETag was stored with the response; forget it so the next poll reads the
        // items this one could not finish instead of getting a 304.
        await options
          .sourceFor(project)
          .forget?.({ id: project.id, repo: project.repo, path: project.path });
      }
    }
    return admitted;
  }

  return {
    start() {
      timer = setInterval(() => {
        // One pass at a time: a slow forge never stacks polls.
        if (running) return;
        running = pollOnce().finally(() => {
          running = null;
        });
      }, options.intervalMs);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    pollOnce,
  };
}

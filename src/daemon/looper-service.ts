// The daemon's application service: what the API asks for, done with the store, the local forge, the
// scheduler and the runner. The API never touches those directly.
import { realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { vendorFor } from '../agents/index.js';
import type { CreateLoopRequest, LooperService, LoopView, StatusView } from '../api/index.js';
import { type Config, roleSettings } from '../config/index.js';
import {
  type Clock,
  isVendorName,
  LooperError,
  roles,
  type Stage,
  stages,
} from '../domain/index.js';
import type { Forge, GitHubForge, LocalForge, ProjectRef } from '../forge/index.js';
import type { Git } from '../git/index.js';
import { detectChecks, type LoopRunner } from '../runner/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { LoopRecord, ProjectRecord, Store } from '../store/index.js';
import type { EventBus } from './event-bus.js';
import { listFailures } from './failures.js';
import { startIssueUrlLoop, startNewIssueLoop } from './issue-loop.js';
import { type ControlAction, controlLoop } from './loop-control.js';
import { listQueueViews, removeQueueEntry } from './queue-admin.js';
import { eventView, loopView, runView } from './views.js';
import { cleanupWorktrees, listWorktreeViews } from './worktree-gc.js';

export interface ServiceDeps {
  store: Store;
  forge: LocalForge;
  /** The GitHub gateway, when a token was found (issue URLs need it). */
  github?: GitHubForge | null;
  /** The forge of hosted (GitHub) projects, when any is configured: their PRs live there. */
  hostedForge?: Forge;
  /** A hosted project's PR as last seen (a conditional request: free when unchanged). */
  pullSnapshot?: (
    project: ProjectRef,
    number: number,
  ) => Promise<{ number: number; url: string; state: string }>;
  git: Git;
  runner: LoopRunner;
  scheduler: Scheduler;
  bus: EventBus;
  clock: Clock;
  config: Config;
  dataDir: string;
  nodeId: string;
  version: string;
  startedAt: number;
  storage: string;
  requestShutdown: () => void;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function resolveRepo(repo: string): string {
  try {
    const path = realpathSync(repo);
    if (!statSync(path).isDirectory()) throw new Error('not a directory');
    return path;
  } catch {
    throw new LooperError(
      'validation_failed',
      `repo ${repo} is not a directory on this machine (a GitHub project is named owner/name)`,
      {
        details: { issues: [{ path: 'repo', message: 'no such directory' }] },
      },
    );
  }
}

export function createLooperService(deps: ServiceDeps): LooperService {
  const { store, forge } = deps;

  function checkVendor(vendor: string | undefined): void {
    const used = vendor ? [vendor] : roles.map((role) => roleSettings(deps.config, role).vendor);
    for (const name of new Set(used)) {
      // Refused up front (422) rather than as a failed run later: the vendor has no adapter yet.
      if (isVendorName(name)) vendorFor(name);
      if (name === 'custom' && deps.config.vendors.custom.command.trim() === '') {
        throw new LooperError(
          'config_invalid',
          'vendor custom needs vendors.custom.command (the executable to run)',
        );
      }
    }
  }

  async function projectFor(path: string, baseBranch: string | undefined): Promise<ProjectRecord> {
    const existing = await store.projects.findProjectByPath(path);
    if (existing) return existing;
    const current = await deps.git.currentBranch(path);
    return store.projects.createProject({
      name: basename(path),
      forge: 'local',
      path,
      baseBranch: baseBranch ?? current ?? 'main',
      checks: detectChecks(path),
    });
  }

  async function view(loop: LoopRecord, withRuns = false): Promise<LoopView> {
    const project = await store.projects.getProject(loop.projectId);
    const ref = { id: project.id, repo: project.repo, path: project.path };
    const hosted = project.forge !== 'local';
    const prForge = hosted && deps.hostedForge ? deps.hostedForge : forge;
    const pr =
      loop.prNumber === null
        ? null
        : hosted && deps.pullSnapshot
          ? await deps.pullSnapshot(ref, loop.prNumber)
          : await prForge.getPullRequest(ref, loop.prNumber);
    const runs = withRuns ? await store.runs.listRunsForLoop(loop.id) : undefined;
    const vendor = loop.options.vendor ?? roleSettings(deps.config, 'worker').vendor;
    return loopView({
      loop,
      project,
      vendor,
      pr: pr ? { number: pr.number, url: pr.url, state: pr.state } : null,
      runs,
    });
  }

  async function control(
    id: string,
    action: ControlAction,
    mode?: 'resume' | 'restart',
  ): Promise<LoopView> {
    await controlLoop(deps, id, action, mode);
    return view(await store.loops.getLoop(id), true);
  }

  const gcDeps = { ...deps, events: deps.bus };

  return {
    async status(): Promise<StatusView> {
      const byStage = await store.loops.countLoopsByStage();
      const nonZero: Partial<Record<Stage, number>> = {};
      let active = 0;
      for (const stage of stages) {
        const n = byStage[stage];
        if (n > 0) nonZero[stage] = n;
      }
      for (const loop of await store.loops.listLoops({ active: true, limit: 10_000 }))
        if (!loop.paused) active++;
      const queue = await store.queue.countQueue();
      const running = await store.runs.listRunningRuns();
      const now = deps.clock.now();
      return {
        version: deps.version,
        pid: process.pid,
        node: deps.nodeId,
        data_dir: deps.dataDir,
        storage: deps.storage,
        started_at: new Date(deps.startedAt).toISOString(),
        uptime_s: Math.round((now - deps.startedAt) / 1000),
        loops: { active, by_stage: nonZero },
        queue,
        runs: { running: running.length },
        limits: { max_concurrent_loops: deps.config.daemon['max-concurrent-loops'] },
      };
    },

    async listLoops(filter) {
      const stage = filter.stage;
      if (stage !== undefined && !(stages as readonly string[]).includes(stage)) {
        throw new LooperError('validation_failed', `unknown stage ${stage}`, {
          details: { issues: [{ path: 'stage', message: `one of ${stages.join(', ')}` }] },
        });
      }
      const loops = await store.loops.listLoops({
        stage: stage as Stage | undefined,
        active: filter.active,
        limit: filter.limit,
      });
      return Promise.all(loops.map((loop) => view(loop)));
    },

    async getLoop(id) {
      return view(await store.loops.getLoop(id), true);
    },

    async createLoop(request: CreateLoopRequest) {
      checkVendor(request.vendor);
      if (request.issue_url !== undefined) {
        const issueRequest = { ...request, issue_url: request.issue_url };
        const loop = await startIssueUrlLoop(
          { ...deps, github: deps.github ?? null, events: deps.bus },
          issueRequest,
        );
        return view(loop, true);
      }
      const repoArg = request.repo ?? '';
      if (/^[\w.-]+\/[\w.-]+$/.test(repoArg) && !isDirectory(repoArg)) {
        const github = { ...deps, github: deps.github ?? null, events: deps.bus };
        return view(await startNewIssueLoop(github, { ...request, repo: repoArg }), true);
      }
      const title = request.title ?? '';
      const body = request.body ?? '';
      const path = resolveRepo(repoArg);
      const project = await projectFor(path, request.base_branch);
      const ref = { id: project.id, repo: project.repo, path: project.path };
      const issue = await forge.createIssue(ref, { title, body, labels: ['looper:plan'] });
      const loop = await store.loops.createLoop({
        projectId: project.id,
        kind: 'issue',
        number: issue.number,
        title,
        body,
        options: {
          vendor: request.vendor,
          model: request.model,
          checks: request.checks?.length ? request.checks : undefined,
        },
      });
      await deps.bus.emit({
        loopId: loop.id,
        type: 'loop.created',
        data: { project: project.name, number: issue.number, title: loop.title, queue: 'manual' },
      });
      await deps.scheduler.enqueue(loop.id, 'manual');
      return view(loop, true);
    },

    cancelLoop: (id) => control(id, 'cancel'),
    pauseLoop: (id) => control(id, 'pause'),
    resumeLoop: (id) => control(id, 'resume'),
    approveLoop: (id) => control(id, 'approve'),
    retryLoop: (id, mode) => control(id, 'retry', mode),
    listWorktrees: () => listWorktreeViews(gcDeps),
    cleanupWorktrees: (options) => cleanupWorktrees(gcDeps, options),
    listQueue: (filter) => listQueueViews(deps, filter),
    removeQueueEntry: (id, by) => removeQueueEntry({ ...deps, events: deps.bus }, id, by),
    listFailures: (options) => listFailures(deps, options),

    async getRun(id) {
      return runView(await store.runs.getRun(id));
    },

    async listEvents(query) {
      const events = await store.events.listEvents({
        after: query.after,
        loopId: query.loopId,
        limit: query.limit,
      });
      return events.map(eventView);
    },

    subscribe(listener) {
      return deps.bus.subscribe((event) => listener(eventView(event)));
    },

    async shutdown() {
      deps.requestShutdown();
    },
  };
}

// Projects through the API (`looper project add|list|remove`): a GitHub repository is checked with
// the gateway before it is stored, a local one must be a git repository. API-added projects live in
// the store only (config `[[projects]]` are synced at each start); removal waits for active loops.
import { realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type {
  CreateProjectRequest,
  ProjectRemovedView,
  ProjectService,
  ProjectView,
} from '../api/index.js';
import type { Config } from '../config/index.js';
import { LooperError } from '../domain/index.js';
import type { GitHubForge } from '../forge/index.js';
import type { Git } from '../git/index.js';
import type { EventSink, RunnerLog } from '../runner/index.js';
import { detectChecks } from '../runner/index.js';
import type { ProjectRecord, Store } from '../store/index.js';
import { findByRepo, invalid, noGitHubToken } from './project-lookup.js';
import { configEntryFor } from './projects.js';
import { createWebhookAdmin } from './webhook-admin.js';
import { saveForwardedRepo } from './webhook-forward-choice.js';
import type { WebhookForwarder } from './webhook-forwarder.js';
import type { WebhookSecret } from './webhook-secret.js';

export interface ProjectAdminDeps {
  store: Store;
  /** The gateway; null when no GitHub token was found at start. */
  github: GitHubForge | null;
  git: Git;
  config: Config;
  /** The config file, named in messages about `[[projects]]`. */
  configFile: string | null;
  events: EventSink;
  secret: WebhookSecret;
  log: RunnerLog;
  /** `looper webhook enable --forward`: the gh supervisor and where the choice is kept. */
  forwarding?: { forwarder: WebhookForwarder; dataDir: string };
}

const iso = (ms: number) => new Date(ms).toISOString();

function localDirectory(path: string): string {
  try {
    const real = realpathSync(path);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw invalid('path', `${path} is not a directory on this machine`);
}

export function createProjectAdmin(deps: ProjectAdminDeps): ProjectService {
  const { store, config } = deps;

  async function view(project: ProjectRecord): Promise<ProjectView> {
    const active = await store.loops.listLoops({
      projectId: project.id,
      active: true,
      limit: 10_000,
    });
    return {
      id: project.id,
      name: project.name,
      forge: project.forge,
      repo: project.repo,
      path: project.path,
      base_branch: project.baseBranch,
      checks: project.checks,
      source: configEntryFor(config, project) ? 'config' : 'api',
      active_loops: active.length,
      created_at: iso(project.createdAt),
      updated_at: iso(project.updatedAt),
    };
  }

  async function refuseDuplicate(repo: string | null, path: string | null): Promise<void> {
    const existing =
      (repo ? await findByRepo(store, repo) : null) ??
      (path ? await store.projects.findProjectByPath(path) : null);
    if (existing) {
      throw new LooperError(
        'conflict',
        `${existing.repo ?? existing.path} is already a project (${existing.id})`,
        { details: { project_id: existing.id } },
      );
    }
  }

  async function addGitHubProject(request: CreateProjectRequest & { repo: string }) {
    const github = deps.github;
    if (!github) throw noGitHubToken();
    const path = request.path === undefined ? null : localDirectory(request.path);
    await refuseDuplicate(request.repo, path);
    const ref = { id: 'new', repo: request.repo, path };
    const repository = await github.getRepository(ref).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw invalid(
        'repo',
        `cannot read ${request.repo} on GitHub with the configured token (${reason}); check the name and that the token may read the repository`,
      );
    });
    const project = await store.projects.createProject({
      name: repository.fullName,
      forge: 'github',
      repo: repository.fullName,
      path,
      baseBranch: request.base_branch ?? repository.defaultBranch,
      checks: request.checks ?? [],
    });
    // Labels get their colours once; GitHub creates a missing label anyway when Looper adds it.
    github
      .ensureLabels({ id: project.id, repo: project.repo, path: project.path })
      .catch((error: unknown) => {
        deps.log.warn(
          { repo: project.repo, error: String(error) },
          'could not create Looper labels',
        );
      });
    return project;
  }

  async function addLocalProject(request: CreateProjectRequest & { path: string }) {
    const path = localDirectory(request.path);
    await refuseDuplicate(null, path);
    let branch: string | null;
    try {
      branch = await deps.git.currentBranch(path);
    } catch {
      throw invalid('path', `${path} is not a git repository`);
    }
    return store.projects.createProject({
      name: basename(path),
      forge: 'local',
      path,
      baseBranch: request.base_branch ?? branch ?? 'main',
      checks: request.checks ?? detectChecks(path),
    });
  }

  return {
    async listProjects() {
      return Promise.all((await store.projects.listProjects()).map(view));
    },

    async getProject(id) {
      return view(await store.projects.getProject(id));
    },

    async addProject(request) {
      const project =
        request.repo !== undefined
          ? await addGitHubProject({ ...request, repo: request.repo })
          : await addLocalProject({ ...request, path: request.path ?? '' });
      await deps.events.emit({
        type: 'project.added',
        data: { project_id: project.id, repo: project.repo, path: project.path },
      });
      return view(project);
    },

    async removeProject(id) {
      const project = await store.projects.getProject(id);
      const shown = await view(project);
      if (shown.source === 'config') {
        throw new LooperError(
          'conflict',
          `${project.repo ?? project.path} comes from [[projects]] in ${deps.configFile ?? 'the config'}; remove it there and restart looperd`,
        );
      }
      const active = await store.loops.listLoops({ projectId: id, active: true, limit: 100 });
      if (active.length > 0) {
        throw new LooperError(
          'conflict',
          `project ${id} has ${active.length} active loop(s) (${active.map((l) => l.id).join(', ')}); cancel them first`,
          { details: { loops: active.map((l) => l.id) } },
        );
      }
      const removed = await removeProjectRows(deps, id);
      if (project.repo && deps.forwarding) {
        saveForwardedRepo(deps.forwarding.dataDir, project.repo, false);
        await deps.forwarding.forwarder.stop(project.repo);
      }
      await deps.events.emit({
        type: 'project.removed',
        data: { project_id: id, repo: project.repo, path: project.path },
      });
      return { project: { ...shown, active_loops: 0 }, ...removed };
    },

    ...createWebhookAdmin(deps),
  };
}

/** Deletes the project, its finished loops (runs, queue entries, effects cascade) and their worktrees. */
async function removeProjectRows(
  deps: ProjectAdminDeps,
  projectId: string,
): Promise<Omit<ProjectRemovedView, 'project'>> {
  const { store } = deps;
  const loops = await store.db
    .selectFrom('loops')
    .select('id')
    .where('project_id', '=', projectId)
    .execute();
  const loopIds = loops.map((l) => l.id);
  const worktreesKept: string[] = [];
  const worktrees = await store.worktrees.listWorktrees({ present: true });
  for (const worktree of worktrees.filter((w) => loopIds.includes(w.loopId))) {
    try {
      await deps.git.removeWorktree({ repoPath: worktree.repoPath, path: worktree.path });
    } catch {
      worktreesKept.push(worktree.path);
    }
  }
  await store.db.transaction().execute(async (trx) => {
    if (loopIds.length > 0) await trx.deleteFrom('loops').where('id', 'in', loopIds).execute();
    await trx.deleteFrom('projects').where('id', '=', projectId).execute();
  });
  return { loops_removed: loopIds.length, worktrees_kept: worktreesKept };
}

// Everything one step needs to know about its loop: the record, its project, its worktree and paths.
import { join } from 'node:path';
import { LooperError } from '../domain/index.js';
import type { Forge, ProjectRef } from '../forge/index.js';
import { branchName } from '../git/index.js';
import type { LoopRecord, ProjectRecord } from '../store/index.js';
import type { ProjectAccess, RunnerDeps } from './deps.js';

export interface LoopContext {
  loop: LoopRecord;
  project: ProjectRecord;
  ref: ProjectRef;
  forge: Forge;
  /** Set when Looper pushes its commits (a hosted forge). */
  push: ProjectAccess['push'];
  /** GitHub only: people's review threads, mergeability, requested reviewers. */
  reviewThreads?: ProjectAccess['reviewThreads'];
  mergeable?: ProjectAccess['mergeable'];
  requestReviewers?: ProjectAccess['requestReviewers'];
  branch: string;
  worktree: string;
  /** The ref branches start from and diffs compare against. */
  baseBranch: string;
  specPath: string;
  checks: string[];
}

export function specPathFor(branch: string): string {
  return `specs/${branch.replace(/^looper\//, '')}.md`;
}

/**
 * Loads a loop's context. With `ensureWorktree` (every step) the worktree is created or reused; without
 * it (control actions such as cancel) only a recorded worktree is named, and `worktree` may be ''.
 */
export async function loadContext(
  deps: RunnerDeps,
  loop: LoopRecord,
  ensureWorktree = true,
): Promise<LoopContext> {
  const project = await deps.store.projects.getProject(loop.projectId);
  const access = accessFor(deps, project);
  const branch = loop.branch ?? branchName(loop.number, loop.title);
  const existing = await deps.store.worktrees.getWorktree(loop.id);
  const ref = { id: project.id, repo: project.repo, path: project.path };
  const checks = loop.options.checks ?? project.checks;
  const base = {
    loop,
    project,
    ref,
    forge: access.forge,
    push: access.push,
    reviewThreads: access.reviewThreads,
    mergeable: access.mergeable,
    requestReviewers: access.requestReviewers,
    branch,
    baseBranch: access.baseRef,
    specPath: specPathFor(branch),
    checks,
  };
  if (!ensureWorktree) {
    return {
      ...base,
      worktree: existing !== null && existing.removedAt === null ? existing.path : '',
    };
  }
  const repoPath = await access.repoPath();
  const info = await deps.git.ensureWorktree({
    repoPath,
    loopId: loop.id,
    branch,
    baseBranch: access.baseRef,
  });
  if (existing === null || existing.removedAt !== null || info.created) {
    await deps.store.worktrees.recordWorktree({
      loopId: loop.id,
      path: info.path,
      branch,
      repoPath,
    });
  }
  return { ...base, worktree: info.path };
}

/** Local projects work in their own path with the local forge and never push. */
function accessFor(deps: RunnerDeps, project: ProjectRecord): ProjectAccess {
  if (project.forge !== 'local' && deps.access) return deps.access(project);
  const path = project.path;
  if (path === null) {
    throw new LooperError(
      'config_invalid',
      `project ${project.name} has no local path to work from`,
    );
  }
  return { forge: deps.forge, repoPath: async () => path, baseRef: project.baseBranch, push: null };
}

export function logDir(deps: RunnerDeps, loopId: string): string {
  return join(deps.dataDir, 'logs', loopId);
}

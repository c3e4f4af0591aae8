// Everything one step needs to know about its loop: the record, its project, its worktree and paths.
import { join } from 'node:path';
import { isLooperError, isTerminalStage, LooperError } from '../domain/index.js';
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
  changeRequests?: ProjectAccess['changeRequests'];
  checkLog?: ProjectAccess['checkLog'];
  autoMerge?: ProjectAccess['autoMerge'];
  /** The loop's branch; '' for a PR loop that has not read its PR yet (stage `queued`). */
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

/** Where a branch of the project lives for git: `origin/<name>` in Looper's clone of a forge. */
function refOf(access: ProjectAccess, name: string): string {
  return access.push === null ? name : `origin/${name}`;
}

/**
 * Loads a loop's context. With `ensureWorktree` (every step) the worktree is created or reused; without
 * it (control actions such as cancel) only a recorded worktree is named, and `worktree` may be ''.
 * A PR loop (review, fix) works on the PR's own head branch and compares with the PR's base.
 */
export async function loadContext(
  deps: RunnerDeps,
  loop: LoopRecord,
  ensureWorktree = true,
): Promise<LoopContext> {
  const project = await deps.store.projects.getProject(loop.projectId);
  const access = accessFor(deps, project);
  const prLoop = loop.kind !== 'issue';
  const branch = prLoop
    ? (loop.branch ?? '')
    : (loop.branch ?? branchName(loop.number, loop.title));
  const existing = await deps.store.worktrees.getWorktree(loop.id);
  const ref = { id: project.id, repo: project.repo, path: project.path };
  const checks = loop.options.checks ?? project.checks;
  const baseBranch =
    prLoop && loop.options.prBase ? refOf(access, loop.options.prBase) : access.baseRef;
  const base = {
    loop,
    project,
    ref,
    forge: access.forge,
    push: access.push,
    reviewThreads: access.reviewThreads,
    mergeable: access.mergeable,
    requestReviewers: access.requestReviewers,
    changeRequests: access.changeRequests,
    checkLog: access.checkLog,
    autoMerge: access.autoMerge,
    branch,
    baseBranch,
    specPath: specPathFor(branch),
    checks,
  };
  if (!ensureWorktree || branch === '') {
    return {
      ...base,
      worktree: existing !== null && existing.removedAt === null ? existing.path : '',
    };
  }
  const repoPath = await access.repoPath();
  // A review loop reads its PR's head from `refs/pull/<n>/head` (a fork's PR included).
  const prRef = loop.kind === 'review' ? loop.options.prRef : undefined;
  const headRef = prRef ? `origin/${prRef}` : refOf(access, branch);
  if (prRef && access.push !== null) {
    await deps.git.fetchRef({
      repoPath,
      ref: `refs/${prRef}`,
      to: `refs/remotes/${headRef}`,
      ...(access.push.auth ? { auth: access.push.auth } : {}),
    });
  }
  const input = {
    repoPath,
    loopId: loop.id,
    branch,
    // A PR loop's branch starts where the PR's head is; an issue loop's from the base.
    baseBranch: prLoop ? headRef : baseBranch,
  };
  const info = await deps.git.ensureWorktree(input).catch(async (error: unknown) => {
    if (!(await takeOverBranch(deps, loop, repoPath, error))) throw error;
    return deps.git.ensureWorktree(input);
  });
  if (existing === null || existing.removedAt !== null || info.created) {
    await deps.store.worktrees.recordWorktree({
      loopId: loop.id,
      path: info.path,
      branch,
      repoPath,
    });
  }
  // A branch this call just cut has no commits of its own yet: it may simply take the forge's (another
  // node's clone pushed it); a review loop never commits, so it follows even a rewritten head.
  const force = loop.kind === 'review' || (info.created && info.baseBranch !== null);
  if (access.push !== null) await catchUp(deps, loop, info.path, branch, headRef, force);
  return { ...base, worktree: info.path };
}

/**
 * A loop started again for the same issue or PR reuses its branch, which an earlier, finished loop's
 * worktree may still hold: that worktree is removed (never a dirty one) so the new loop can check the
 * branch out. True when it was.
 */
async function takeOverBranch(
  deps: RunnerDeps,
  loop: LoopRecord,
  repoPath: string,
  error: unknown,
): Promise<boolean> {
  if (!isLooperError(error) || error.code !== 'conflict') return false;
  const path = (error.details as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string') return false;
  const holder = (await deps.store.worktrees.listWorktrees({ present: true })).find(
    (w) => w.path === path && w.loopId !== loop.id,
  );
  if (!holder) return false;
  const other = await deps.store.loops.getLoop(holder.loopId);
  if (!isTerminalStage(other.stage) || other.stage === 'ready') return false;
  if (await deps.git.isDirty(path)) {
    throw new LooperError(
      'dirty_worktree',
      `branch ${holder.branch} is checked out by the earlier loop ${other.id}, whose worktree ${path} has uncommitted changes; remove it with \`looper worktree cleanup --force\``,
      { details: { path, loopId: other.id } },
    );
  }
  await deps.git.removeWorktree({ repoPath, path });
  await deps.store.worktrees.markWorktreeRemoved(other.id);
  await deps.events.emit({
    loopId: other.id,
    type: 'worktree.removed',
    data: { path, reason: `its branch was taken over by loop ${loop.id}` },
  });
  return true;
}

/**
 * Adopts commits people pushed to the branch since Looper last looked (the clone was just fetched),
 * so the next agent builds on them and the push never drops them. A review loop, which never commits,
 * follows even a rewritten head.
 */
async function catchUp(
  deps: RunnerDeps,
  loop: LoopRecord,
  path: string,
  branch: string,
  ref: string,
  force: boolean,
): Promise<void> {
  const result = await deps.git.syncToRef({ path, ref, force });
  if (result.status === 'diverged') {
    // Both sides have commits: pushing would drop the forge's, rebuilding would drop Looper's.
    throw new LooperError(
      'conflict',
      `branch ${branch} has commits on the forge (${result.remoteSha.slice(0, 12)}) that Looper's copy (${result.sha.slice(0, 12)}) lacks, and the other way round; merge them on the branch, then \`/looper retry\``,
      { details: { branch, remote: result.remoteSha, local: result.sha } },
    );
  }
  if (result.status === 'updated') {
    await deps.events.emit({
      loopId: loop.id,
      type: 'git.synced',
      data: { branch, from: result.from, sha: result.sha },
    });
  }
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

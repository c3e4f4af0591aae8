// Creates, reuses and removes the per-loop worktrees under `<dataDir>/worktrees/<loopId>`, where
// agents do their work on the loop's branch.
import fs from 'node:fs';
import path from 'node:path';
import { LooperError } from '../domain/index.js';
import { isDirty } from './inspect.js';
import {
  assertBranchName,
  assertRepo,
  branchExists,
  currentBranchOf,
  type GitContext,
  isDirectory,
  resolveCommit,
  samePath,
} from './repo.js';
import { runGit } from './run-git.js';
import type { EnsureWorktreeInput, RemoveWorktreeInput, WorktreeInfo } from './types.js';

interface WorktreeEntry {
  path: string;
  /** `refs/heads/<name>`, or null when detached or bare. */
  branch: string | null;
}

export async function ensureWorktree(
  ctx: GitContext,
  input: EnsureWorktreeInput,
): Promise<WorktreeInfo> {
  const { repoPath, branch } = input;
  await assertRepo(ctx, repoPath);
  assertLoopId(input.loopId);
  await assertBranchName(ctx, repoPath, branch);
  const wtPath = path.resolve(ctx.dataDir, 'worktrees', input.loopId);
  const opts = { cwd: repoPath, timeoutMs: ctx.timeoutMs };

  // Forget worktrees whose directories were deleted, so their branches can be checked out again.
  await runGit(['worktree', 'prune'], opts);
  const worktrees = await listWorktrees(ctx, repoPath);
  const ref = `refs/heads/${branch}`;
  const here = worktrees.find((w) => samePath(w.path, wtPath));
  if (here) {
    if (here.branch === ref) {
      return { path: wtPath, branch, created: false, baseBranch: null, baseFallback: false };
    }
    throw new LooperError('conflict', `worktree ${wtPath} is not on branch ${branch}`, {
      details: { path: wtPath, branch, actual: here.branch },
    });
  }
  const elsewhere = worktrees.find((w) => w.branch === ref);
  if (elsewhere) {
    throw new LooperError('conflict', `branch ${branch} is already checked out elsewhere`, {
      details: { branch, path: elsewhere.path },
    });
  }

  fs.mkdirSync(path.dirname(wtPath), { recursive: true });
  if (await branchExists(ctx, repoPath, branch)) {
    await runGit(['worktree', 'add', '--quiet', wtPath, branch], opts);
    return { path: wtPath, branch, created: true, baseBranch: null, baseFallback: false };
  }
  const base = await resolveBase(ctx, repoPath, input.baseBranch);
  await runGit(['worktree', 'add', '--quiet', '--no-track', '-b', branch, wtPath, base.name], opts);
  return {
    path: wtPath,
    branch,
    created: true,
    baseBranch: base.name,
    baseFallback: base.fallback,
  };
}

export async function removeWorktree(
  ctx: GitContext,
  input: RemoveWorktreeInput,
): Promise<{ removed: boolean }> {
  await assertRepo(ctx, input.repoPath);
  const wtPath = path.resolve(input.path);
  const opts = { cwd: input.repoPath, timeoutMs: ctx.timeoutMs };
  if (!isDirectory(wtPath)) {
    await runGit(['worktree', 'prune'], opts);
    return { removed: false };
  }
  const worktrees = await listWorktrees(ctx, input.repoPath);
  const index = worktrees.findIndex((w) => samePath(w.path, wtPath));
  // The first entry is the main working tree, which is never Looper's to remove.
  if (index <= 0) {
    throw new LooperError('validation_failed', `not a linked worktree of ${input.repoPath}`, {
      details: { repoPath: input.repoPath, path: wtPath },
    });
  }
  if (!input.force && (await isDirty(ctx, wtPath))) {
    throw new LooperError('dirty_worktree', `worktree has uncommitted changes: ${wtPath}`, {
      details: { path: wtPath },
    });
  }
  const force = input.force ? ['--force'] : [];
  await runGit(['worktree', 'remove', ...force, wtPath], opts);
  await runGit(['worktree', 'prune'], opts);
  return { removed: true };
}

async function resolveBase(
  ctx: GitContext,
  repoPath: string,
  requested: string | undefined,
): Promise<{ name: string; fallback: boolean }> {
  if (requested !== undefined && (await resolveCommit(ctx, repoPath, requested)) !== null) {
    return { name: requested, fallback: false };
  }
  const current = await currentBranchOf(ctx, repoPath);
  if (current === null || (await resolveCommit(ctx, repoPath, current)) === null) {
    throw new LooperError(
      'validation_failed',
      'no base branch: the requested one is missing and HEAD is not on a branch with commits',
      { details: { repoPath, requested: requested ?? null, head: current } },
    );
  }
  return { name: current, fallback: true };
}

async function listWorktrees(ctx: GitContext, repoPath: string): Promise<WorktreeEntry[]> {
  const { stdout } = await runGit(['worktree', 'list', '--porcelain'], {
    cwd: repoPath,
    timeoutMs: ctx.timeoutMs,
  });
  const entries: WorktreeEntry[] = [];
  for (const block of stdout.split(/\n\n+/)) {
    let entry: WorktreeEntry | null = null;
    for (const line of block.split('\n')) {
      if (line.startsWith('worktree ')) entry = { path: line.slice(9), branch: null };
      else if (entry && line.startsWith('branch ')) entry.branch = line.slice(7);
    }
    if (entry) entries.push(entry);
  }
  return entries;
}

function assertLoopId(loopId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(loopId) || loopId.length > 128) {
    throw new LooperError('validation_failed', `loop id is not a safe directory name: ${loopId}`, {
      details: { loopId },
    });
  }
}

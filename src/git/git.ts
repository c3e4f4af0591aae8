// The real git seam: `createGit` binds the data directory, clock and timeout to the worktree,
// commit and inspection operations, each a plain `git` child process.

import { commitAll } from './commit.js';
import { changedFiles, diff, diffStat, headSha, isDirty, log } from './inspect.js';
import { ensureClone, fetchRef, push } from './remote.js';
import { assertRepo, currentBranchOf, type GitContext } from './repo.js';
import { syncToRef } from './sync.js';
import type { Git, GitOptions } from './types.js';
import { ensureWorktree, removeWorktree } from './worktree.js';

const defaultTimeoutMs = 120_000;

export function createGit(options: GitOptions): Git {
  const clock = options.clock;
  const ctx: GitContext = {
    dataDir: options.dataDir,
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    ...(clock ? { now: () => clock.now() } : {}),
  };
  return {
    ensureWorktree: (input) => ensureWorktree(ctx, input),
    currentBranch: async (repoPath) => {
      await assertRepo(ctx, repoPath);
      return currentBranchOf(ctx, repoPath);
    },
    commitAll: (input) => commitAll(ctx, input),
    isDirty: (path) => isDirty(ctx, path),
    headSha: (path) => headSha(ctx, path),
    diff: (input) => diff(ctx, input),
    diffStat: (input) => diffStat(ctx, input),
    log: (input) => log(ctx, input),
    changedFiles: (input) => changedFiles(ctx, input),
    removeWorktree: (input) => removeWorktree(ctx, input),
    ensureClone: (input) => ensureClone(ctx, input),
    push: (input) => push(ctx, input),
    syncToRef: (input) => syncToRef(ctx, input),
    fetchRef: (input) => fetchRef(ctx, input),
  };
}

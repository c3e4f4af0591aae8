// Front door of git/: worktrees, branches and commits for loops, as plain `git` child processes.
export { branchName, slugify } from './branch-name.js';
export { effectTrailer } from './commit.js';
export { createGit } from './git.js';
export type {
  EnsureCloneInput,
  FetchRefInput,
  GitAuth,
  PushInput,
  PushResult,
} from './remote.js';
export type { SyncInput, SyncResult } from './sync.js';
export type {
  CommitInfo,
  CommitInput,
  CommitResult,
  EnsureWorktreeInput,
  Git,
  GitOptions,
  RangeInput,
  RemoveWorktreeInput,
  WorktreeInfo,
} from './types.js';

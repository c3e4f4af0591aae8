// The git seam: what the runner and the daemon ask of git. `createGit` is the real implementation.

import type { Clock } from '../domain/index.js';
import type { EnsureCloneInput, FetchRefInput, PushInput, PushResult } from './remote.js';
import type { SyncInput, SyncResult } from './sync.js';

export interface GitOptions {
  /** Looper's data directory; worktrees live in `<dataDir>/worktrees/<loopId>`. */
  dataDir: string;
  /** When given, commit dates come from it (deterministic tests); otherwise git's own clock. */
  clock?: Clock;
  /** Per git invocation; default 120 s. */
  timeoutMs?: number;
}

export interface EnsureWorktreeInput {
  repoPath: string;
  loopId: string;
  branch: string;
  /** Base for a new branch; when absent or missing from the repo, the repo's current branch. */
  baseBranch?: string;
}

export interface WorktreeInfo {
  /** Absolute path of the worktree. */
  path: string;
  branch: string;
  /** True when this call created the worktree; false when an existing one was reused. */
  created: boolean;
  /**
   * The base the branch was cut from when this call created the branch; `null` when the branch
   * already existed. Differs from the requested base when that one was missing (see `baseFallback`).
   */
  baseBranch: string | null;
  /** True when the requested base was absent or missing and the repo's HEAD branch was used. */
  baseFallback: boolean;
}

export interface CommitInput {
  path: string;
  message: string;
  /** `Name <email>`; used as both author and committer, whatever the user's git config says. */
  author: string;
  /** Idempotency key, written as the trailer `Looper-Effect: <effectKey>`. */
  effectKey: string;
}

export interface CommitResult {
  sha: string;
  /** True only when this call created a commit. */
  committed: boolean;
}

export interface CommitInfo {
  sha: string;
  subject: string;
  /** `Name <email>`. */
  author: string;
}

export interface RangeInput {
  path: string;
  /** Base ref; the range is `base...HEAD` (changes on HEAD since the merge-base). */
  base: string;
}

export interface RemoveWorktreeInput {
  repoPath: string;
  path: string;
  /** Remove even when the worktree has uncommitted or untracked changes. */
  force?: boolean;
}

export interface Git {
  ensureWorktree(input: EnsureWorktreeInput): Promise<WorktreeInfo>;
  /** The branch HEAD points at, or `null` when HEAD is detached. */
  currentBranch(repoPath: string): Promise<string | null>;
  commitAll(input: CommitInput): Promise<CommitResult>;
  /** True when there are staged, unstaged or untracked (not ignored) changes. */
  isDirty(path: string): Promise<boolean>;
  headSha(path: string): Promise<string>;
  /** Unified diff of `base...HEAD`. */
  diff(input: RangeInput): Promise<string>;
  /** `git diff --stat base...HEAD`. */
  diffStat(input: RangeInput): Promise<string>;
  /** Commits on HEAD not on base, newest first. */
  log(input: RangeInput): Promise<CommitInfo[]>;
  /** Paths changed in `base...HEAD`. */
  changedFiles(input: RangeInput): Promise<string[]>;
  /** Never deletes the branch; refuses a dirty worktree unless `force`. */
  removeWorktree(input: RemoveWorktreeInput): Promise<{ removed: boolean }>;
  /** Clones a forge repository into `dir` once, then fetches it. */
  ensureClone(input: EnsureCloneInput): Promise<string>;
  /** Pushes the worktree's HEAD with --force-with-lease; a no-op when the remote is already there. */
  push(input: PushInput): Promise<PushResult>;
  /** Fast-forwards the worktree to `ref` (commits a person pushed); `force` resets to it instead. */
  syncToRef(input: SyncInput): Promise<SyncResult>;
  /** Fetches one ref of the forge (a PR's `refs/pull/<n>/head`) into the clone; returns its sha. */
  fetchRef(input: FetchRefInput): Promise<string>;
}

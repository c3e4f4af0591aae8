// Brings a loop's worktree up to what the forge has on its branch: commits a person pushed to the PR
// are adopted by a fast-forward before an agent runs, so Looper builds on them instead of losing them.
import { LooperError } from '../domain/index.js';
import { isDirty } from './inspect.js';
import type { GitContext } from './repo.js';
import { runGit, runGitRaw } from './run-git.js';

export interface SyncInput {
  path: string;
  /** The ref to catch up with, e.g. `origin/looper/12-fix-add` (already fetched). */
  ref: string;
  /** Reset to `ref` even when the branch diverged from it (a review loop, which never commits). */
  force?: boolean;
}

export type SyncResult =
  /** HEAD already contains `ref`, or `ref` does not exist. */
  | { status: 'current'; sha: string }
  | { status: 'updated'; from: string; sha: string }
  /** Both sides have commits the other lacks; nothing was changed. */
  | { status: 'diverged'; sha: string; remoteSha: string };

async function commitOf(ctx: GitContext, path: string, ref: string): Promise<string | null> {
  const result = await runGitRaw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: path,
    timeoutMs: ctx.timeoutMs,
  });
  return result.code === 0 ? result.stdout.trim() : null;
}

export async function isAncestor(
  ctx: GitContext,
  path: string,
  ancestor: string,
  of: string,
): Promise<boolean> {
  const result = await runGitRaw(['merge-base', '--is-ancestor', ancestor, of], {
    cwd: path,
    timeoutMs: ctx.timeoutMs,
  });
  return result.code === 0;
}

export async function syncToRef(ctx: GitContext, input: SyncInput): Promise<SyncResult> {
  const head = await commitOf(ctx, input.path, 'HEAD');
  if (head === null) throw new LooperError('git_failed', `no HEAD in ${input.path}`);
  const remote = await commitOf(ctx, input.path, input.ref);
  if (remote === null || remote === head) return { status: 'current', sha: head };
  if (await isAncestor(ctx, input.path, remote, head)) return { status: 'current', sha: head };
  const behind = await isAncestor(ctx, input.path, head, remote);
  if (!behind && !input.force) return { status: 'diverged', sha: head, remoteSha: remote };
  if (await isDirty(ctx, input.path)) {
    throw new LooperError(
      'dirty_worktree',
      `cannot catch up with ${input.ref}: the worktree has uncommitted changes`,
      { details: { path: input.path, ref: input.ref } },
    );
  }
  const opts = { cwd: input.path, timeoutMs: ctx.timeoutMs };
  if (behind) await runGit(['merge', '--ff-only', '--quiet', remote], opts);
  else await runGit(['reset', '--hard', '--quiet', remote], opts);
  return { status: 'updated', from: head, sha: remote };
}

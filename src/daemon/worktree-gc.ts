// Worktree listing and garbage collection (`looper worktree list|cleanup`): the worktrees Looper
// still holds, with their loop's stage, dirtiness and disk use; finished loops' worktrees older than
// `worktrees.retention-hours` are removed, dirty ones only with `force`, and every kept one is reported.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorktreeCleanupView, WorktreeKeptReason, WorktreeView } from '../api/index.js';
import type { Config } from '../config/index.js';
import { type Clock, isTerminalStage } from '../domain/index.js';
import type { Git } from '../git/index.js';
import type { EventSink } from '../runner/index.js';
import type { LoopRecord, Store, WorktreeRecord } from '../store/index.js';

export interface WorktreeGcDeps {
  store: Store;
  git: Git;
  clock: Clock;
  config: Config;
  events: EventSink;
}

/** Bytes allocated under `path` (like `du`), not following symlinks; 0 when it is gone. */
export async function diskUsage(path: string): Promise<number> {
  let total = 0;
  const stack = [path];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    try {
      const stat = await lstat(current);
      total += stat.blocks * 512;
      if (!stat.isDirectory()) continue;
      for (const name of await readdir(current)) stack.push(join(current, name));
    } catch {
      // Removed while we looked, or unreadable: count what we can.
    }
  }
  return total;
}

async function dirtiness(git: Git, path: string): Promise<boolean | null> {
  try {
    return await git.isDirty(path);
  } catch {
    return null;
  }
}

async function loopOf(store: Store, loopId: string): Promise<LoopRecord | null> {
  try {
    return await store.loops.getLoop(loopId);
  } catch {
    return null;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function listWorktreeViews(deps: WorktreeGcDeps): Promise<WorktreeView[]> {
  const views: WorktreeView[] = [];
  for (const worktree of await deps.store.worktrees.listWorktrees({ present: true })) {
    const loop = await loopOf(deps.store, worktree.loopId);
    views.push({
      loop_id: worktree.loopId,
      path: worktree.path,
      branch: worktree.branch,
      repo_path: worktree.repoPath,
      stage: loop?.stage ?? null,
      dirty: await dirtiness(deps.git, worktree.path),
      disk_bytes: await diskUsage(worktree.path),
      created_at: new Date(worktree.createdAt).toISOString(),
      finished_at: iso(loop?.finishedAt ?? null),
    });
  }
  return views;
}

type Verdict = { remove: true } | { remove: false; reason: WorktreeKeptReason; message: string };

function verdictFor(loop: LoopRecord | null, now: number, retentionMs: number): Verdict {
  if (loop === null) return { remove: true };
  if (!isTerminalStage(loop.stage)) {
    return { remove: false, reason: 'active', message: `the loop is at stage ${loop.stage}` };
  }
  const finishedAt = loop.finishedAt ?? loop.updatedAt;
  if (now - finishedAt < retentionMs) {
    const hours = ((now - finishedAt) / 3_600_000).toFixed(1);
    return {
      remove: false,
      reason: 'recent',
      message: `the loop ended ${hours} h ago (worktrees.retention-hours)`,
    };
  }
  return { remove: true };
}

export async function cleanupWorktrees(
  deps: WorktreeGcDeps,
  options: { force: boolean },
): Promise<WorktreeCleanupView> {
  const retentionHours = deps.config.worktrees['retention-hours'];
  const report: WorktreeCleanupView = { removed: [], kept: [], retention_hours: retentionHours };
  const now = deps.clock.now();
  for (const worktree of await deps.store.worktrees.listWorktrees({ present: true })) {
    const loop = await loopOf(deps.store, worktree.loopId);
    const verdict = verdictFor(loop, now, retentionHours * 3_600_000);
    if (!verdict.remove) {
      report.kept.push(kept(worktree, verdict.reason, verdict.message));
      continue;
    }
    const outcome = await removeOne(deps, worktree, options.force);
    if (outcome.removed) report.removed.push(outcome.removed);
    else report.kept.push(outcome.kept);
  }
  return report;
}

function kept(worktree: WorktreeRecord, reason: WorktreeKeptReason, message: string) {
  return { loop_id: worktree.loopId, path: worktree.path, reason, message };
}

async function removeOne(
  deps: WorktreeGcDeps,
  worktree: WorktreeRecord,
  force: boolean,
): Promise<
  | { removed: WorktreeCleanupView['removed'][number] }
  | { removed?: undefined; kept: WorktreeCleanupView['kept'][number] }
> {
  const dirty = await dirtiness(deps.git, worktree.path);
  if (dirty === true && !force) {
    await deps.events.emit({
      loopId: worktree.loopId,
      type: 'worktree.kept',
      data: { path: worktree.path, reason: 'dirty' },
    });
    return {
      kept: kept(worktree, 'dirty', 'uncommitted changes (use --force to remove it anyway)'),
    };
  }
  const diskBytes = await diskUsage(worktree.path);
  try {
    await deps.git.removeWorktree({ repoPath: worktree.repoPath, path: worktree.path, force });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kept: kept(worktree, 'error', message) };
  }
  await deps.store.worktrees.markWorktreeRemoved(worktree.loopId);
  await deps.events.emit({
    loopId: worktree.loopId,
    type: 'worktree.removed',
    data: { path: worktree.path, disk_bytes: diskBytes, forced: force && dirty === true },
  });
  return { removed: { loop_id: worktree.loopId, path: worktree.path, disk_bytes: diskBytes } };
}

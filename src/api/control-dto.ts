// Request and response shapes of the control endpoints (pause, resume, retry, approve) and of the
// worktree endpoints (`GET /worktrees`, `POST /worktrees/cleanup`). snake_case on the wire.
import { z } from 'zod';
import type { Stage } from '../domain/index.js';

/** `POST /loops/:id/retry`: `resume` returns to the stage the loop stopped at; `restart` re-plans. */
export const RetryLoopRequest = z
  .object({
    mode: z.enum(['resume', 'restart']).default('resume'),
  })
  .strict()
  .default({ mode: 'resume' });
export type RetryLoopRequest = z.infer<typeof RetryLoopRequest>;

/** `POST /worktrees/cleanup`: `force` also removes worktrees with uncommitted changes. */
export const CleanupWorktreesRequest = z
  .object({
    force: z.boolean().default(false),
  })
  .strict()
  .default({ force: false });
export type CleanupWorktreesRequest = z.infer<typeof CleanupWorktreesRequest>;

export interface WorktreeView {
  loop_id: string;
  path: string;
  branch: string;
  repo_path: string;
  /** The loop's stage; null when the loop is unknown. */
  stage: Stage | null;
  /** Uncommitted or untracked changes; null when the directory is gone or unreadable. */
  dirty: boolean | null;
  /** Bytes on disk (the worktree's files, without the shared object store). */
  disk_bytes: number;
  created_at: string;
  /** When the loop ended, if it did. */
  finished_at: string | null;
}

export type WorktreeKeptReason = 'active' | 'recent' | 'dirty' | 'error';

export interface WorktreeCleanupView {
  removed: { loop_id: string; path: string; disk_bytes: number }[];
  kept: { loop_id: string; path: string; reason: WorktreeKeptReason; message: string }[];
  /** `worktrees.retention-hours` applied. */
  retention_hours: number;
}

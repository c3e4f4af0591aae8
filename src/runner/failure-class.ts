// The run boundary's translation of an error thrown while a step was prepared or performed into a
// failure class: `fatal` when the project itself is broken (repository gone, not a git repository,
// bad config), `needs_human` when a person must look (dirty worktree, branch checked out elsewhere),
// otherwise `transient` (retried with backoff up to `scheduler.retry.max-attempts`).
import fs from 'node:fs';
import { type FailureClass, isLooperError } from '../domain/index.js';
import type { LoopRecord } from '../store/index.js';
import type { RunnerDeps } from './deps.js';

export interface ClassifiedFailure {
  failureClass: FailureClass;
  reason: string;
}

/** Where the error was thrown: preparing the worktree, or performing the stage's step. */
export type StepPhase = 'prepare' | 'perform';

function isDirectory(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Why the project's repository cannot be worked in, or null when it looks fine. */
async function brokenRepository(deps: RunnerDeps, loop: LoopRecord): Promise<string | null> {
  const project = await deps.store.projects.getProject(loop.projectId);
  // A hosted project's clone is Looper's own (re-cloned when missing); a local one is the user's.
  if (project.forge !== 'local') return null;
  if (project.path === null) return `project ${project.name} has no local path to work from`;
  if (!isDirectory(project.path)) return `the repository ${project.path} is gone`;
  try {
    await deps.git.currentBranch(project.path);
  } catch {
    return `${project.path} is not a git repository`;
  }
  return null;
}

export async function classifyStepError(
  deps: RunnerDeps,
  loop: LoopRecord,
  error: unknown,
  phase: StepPhase,
): Promise<ClassifiedFailure> {
  const message = error instanceof Error ? error.message : String(error);
  const broken = await brokenRepository(deps, loop).catch(() => null);
  if (broken !== null) return { failureClass: 'fatal', reason: broken };
  if (!isLooperError(error)) return { failureClass: 'transient', reason: message };
  switch (error.code) {
    case 'config_invalid':
      return { failureClass: 'fatal', reason: `configuration problem: ${message}` };
    case 'dirty_worktree':
      return { failureClass: 'needs_human', reason: message };
    case 'validation_failed':
      return { failureClass: 'needs_human', reason: message };
    case 'conflict':
      // Preparing the worktree: the branch is checked out elsewhere, which a retry cannot fix.
      return phase === 'prepare'
        ? { failureClass: 'needs_human', reason: message }
        : { failureClass: 'transient', reason: message };
    default:
      return { failureClass: 'transient', reason: message };
  }
}

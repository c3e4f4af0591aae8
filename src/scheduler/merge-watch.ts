// The merge watch's entry points: the poller (a watched PR or its CI changed) and webhook deliveries
// (a review, a push, CI finished) ask the runner to look at a watched loop's PR again; a loop sent
// back to work (fixing, a new head to review) is queued.
import type { LoopRunner, RunnerLog } from '../runner/index.js';
import type { ProjectRecord, Store } from '../store/index.js';

export interface MergeWatchDeps {
  store: Store;
  runner: Pick<LoopRunner, 'watch'>;
  enqueue: (loopId: string, queue: 'planned') => Promise<void>;
  log: RunnerLog;
  /** The head SHA a watched PR had when last seen (no request); null when never seen. */
  headOf?: (project: ProjectRecord, prNumber: number) => Promise<string | null>;
}

export interface MergeWatch {
  /** Looks at one loop's PR; true when the loop changed (back to work, merged, closed). */
  look(loopId: string): Promise<boolean>;
  /**
   * Looks at the watched loops of `numbers`; for `all` with `sha` (a CI result naming no PR), only
   * at those whose PR head, as last seen, is that commit or is not known yet.
   */
  nudge(project: ProjectRecord, numbers: number[] | 'all', sha?: string): Promise<number>;
}

/** The stages whose loops still follow their PR (needs_human only to its merge or close). */
export const watchedStages = ['ready', 'needs_human'] as const;

export function createMergeWatch(deps: MergeWatchDeps): MergeWatch {
  async function look(loopId: string): Promise<boolean> {
    try {
      const result = await deps.runner.watch(loopId);
      if (result.requeue) await deps.enqueue(loopId, 'planned');
      return result.event !== null;
    } catch (error) {
      // A forge hiccup or a loop that moved meanwhile: the next poll or delivery looks again.
      deps.log.warn({ loopId, error: String(error) }, 'merge watch could not look at the PR');
      return false;
    }
  }

  return {
    look,
    async nudge(project, numbers, sha) {
      let changed = 0;
      for (const stage of watchedStages) {
        const loops = await deps.store.loops.listLoops({
          projectId: project.id,
          stage,
          limit: 500,
        });
        for (const loop of loops) {
          if (loop.prNumber === null) continue;
          if (numbers !== 'all' && !numbers.includes(loop.prNumber)) continue;
          const byHead = numbers === 'all' && sha !== undefined && deps.headOf;
          const head = byHead ? await deps.headOf?.(project, loop.prNumber) : null;
          if (head !== null && head !== sha) continue;
          if (await look(loop.id)) changed++;
        }
      }
      return changed;
    },
  };
}

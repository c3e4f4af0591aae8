// A person's control actions on a loop (pause, resume, approve, retry, cancel): the runner applies
// them through the state machine; a refusal becomes a 409 that names the stage; a loop with work
// left is queued again in the manual queue.
import { isLooperError, type LoopEvent, LooperError } from '../domain/index.js';
import type { LoopRunner } from '../runner/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { Store } from '../store/index.js';

export type ControlAction = 'pause' | 'resume' | 'approve' | 'retry' | 'cancel';

export interface ControlDeps {
  store: Store;
  runner: LoopRunner;
  scheduler: Scheduler;
}

/** What each action needs, said when it is refused. */
const requirement: Record<ControlAction, string> = {
  pause: 'only a loop that has not ended and is not paused can be paused',
  resume: 'only a paused loop can be resumed',
  approve: 'only a loop at awaiting_approval can be approved (loop.approval = "label")',
  retry: 'only a loop at needs_human or failed can be retried',
  cancel: 'a loop that has ended cannot be cancelled',
};

function eventFor(
  action: ControlAction,
  mode: 'resume' | 'restart',
  reason: string | undefined,
): LoopEvent {
  switch (action) {
    case 'pause':
      return { type: 'pause' };
    case 'resume':
      return { type: 'resume' };
    case 'approve':
      return { type: 'approved' };
    case 'retry':
      return { type: 'retry', mode };
    case 'cancel':
      return { type: 'cancel', reason: reason ?? 'cancelled by a person' };
    default: {
      const never: never = action;
      throw new Error(`unknown control action ${String(never)}`);
    }
  }
}

/**
 * Throws LooperError('not_found'), or 'invalid_transition' naming the loop's stage. `reason` is the
 * stop reason a cancel records (default "cancelled by a person").
 */
export async function controlLoop(
  deps: ControlDeps,
  loopId: string,
  action: ControlAction,
  mode: 'resume' | 'restart' = 'resume',
  reason?: string,
): Promise<void> {
  const before = await deps.store.loops.getLoop(loopId);
  try {
    const result = await deps.runner.control(loopId, eventFor(action, mode, reason));
    if (result.requeue) await deps.scheduler.enqueue(loopId, 'manual');
  } catch (error) {
    if (!isLooperError(error) || error.code !== 'invalid_transition') throw error;
    const now = await deps.store.loops.getLoop(loopId).catch(() => before);
    const state = now.paused ? `${now.stage} (paused)` : now.stage;
    throw new LooperError(
      'invalid_transition',
      `cannot ${action} loop ${loopId}: it is at stage ${state}; ${requirement[action]}`,
      {
        cause: error,
        details: { loop_id: loopId, action, stage: now.stage, paused: now.paused },
      },
    );
  }
}

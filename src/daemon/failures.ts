// `GET /failures` (`looper failures`): the loops that ended needs_human or failed, most recently
// ended first, each with its reason and its last `step.failed` event (the failure class).
import type { FailureView } from '../api/index.js';
import type { Stage } from '../domain/index.js';
import type { EventRecord, LoopRecord, ProjectRecord, Store } from '../store/index.js';
import { projectReader, projectRefView } from './queue-admin.js';

const failedStages: readonly Stage[] = ['needs_human', 'failed'];

const iso = (ms: number) => new Date(ms).toISOString();

const text = (value: unknown) => (typeof value === 'string' ? value : null);
const count = (value: unknown) => (typeof value === 'number' ? value : null);

export function failureView(
  loop: LoopRecord,
  project: ProjectRecord,
  lastFailure: EventRecord | null,
): FailureView {
  return {
    loop_id: loop.id,
    project: projectRefView(project),
    kind: loop.kind,
    number: loop.number,
    title: loop.title,
    stage: loop.stage,
    stopped_at: loop.state.stoppedAt,
    reason: loop.state.reason,
    finished_at: loop.finishedAt === null ? null : iso(loop.finishedAt),
    last_failure:
      lastFailure === null
        ? null
        : {
            event_id: lastFailure.id,
            at: iso(lastFailure.at),
            stage: text(lastFailure.data.stage),
            attempt: count(lastFailure.data.attempt),
            failure_class: text(lastFailure.data.failure_class),
            reason: text(lastFailure.data.reason),
          },
  };
}

export async function listFailures(
  deps: { store: Store },
  options: { limit: number },
): Promise<FailureView[]> {
  const { store } = deps;
  const loops = await store.loops.listLoops({
    stages: failedStages,
    order: 'finished',
    limit: options.limit,
  });
  const project = projectReader(store);
  return Promise.all(
    loops.map(async (loop) =>
      failureView(
        loop,
        await project(loop.projectId),
        await store.events.latestEvent({ loopId: loop.id, type: 'step.failed' }),
      ),
    ),
  );
}

// The queue as people see and edit it (`GET /queue`, `DELETE /queue/:id`, `looper queue list|clear`):
// live entries with their loop, and the removal of a waiting entry, which also cancels its loop so
// the recovery at the next start cannot queue it again.
import type {
  ProjectRefView,
  QueueEntryView,
  QueueFilter,
  QueueRemovedView,
} from '../api/index.js';
import { isLooperError, isTerminalStage, LooperError } from '../domain/index.js';
import type { EventSink } from '../runner/index.js';
import type { LoopRecord, ProjectRecord, QueueEntryRecord, Store } from '../store/index.js';
import { type ControlDeps, controlLoop } from './loop-control.js';

export interface QueueAdminDeps extends ControlDeps {
  events: EventSink;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function projectRefView(project: ProjectRecord): ProjectRefView {
  return { id: project.id, name: project.name, path: project.path, repo: project.repo };
}

export function queueEntryView(
  entry: QueueEntryRecord,
  loop: LoopRecord,
  project: ProjectRecord,
): QueueEntryView {
  return {
    id: entry.id,
    loop_id: entry.loopId,
    project: projectRefView(project),
    number: loop.number,
    title: loop.title,
    stage: loop.stage,
    paused: loop.paused,
    queue: entry.queue,
    state: entry.status === 'claimed' ? 'claimed' : 'queued',
    owner: entry.status === 'claimed' ? entry.leaseOwner : null,
    lease_expires_at:
      entry.status === 'claimed' && entry.leaseExpiresAt !== null
        ? iso(entry.leaseExpiresAt)
        : null,
    not_before: iso(entry.notBefore),
    attempts: entry.attempts,
    last_error: entry.lastError,
    enqueued_at: iso(entry.createdAt),
  };
}

/** Reads each project once however many entries or loops share it. */
export function projectReader(store: Store): (id: string) => Promise<ProjectRecord> {
  const cache = new Map<string, Promise<ProjectRecord>>();
  return (id) => {
    let project = cache.get(id);
    if (project === undefined) {
      project = store.projects.getProject(id);
      cache.set(id, project);
    }
    return project;
  };
}

async function entryView(
  store: Store,
  entry: QueueEntryRecord,
  project: (id: string) => Promise<ProjectRecord>,
): Promise<QueueEntryView> {
  const loop = await store.loops.getLoop(entry.loopId);
  return queueEntryView(entry, loop, await project(loop.projectId));
}

/** Live entries in claim order (priority manual > planned > auto, then FIFO), filtered. */
export async function listQueueViews(
  deps: Pick<QueueAdminDeps, 'store'>,
  filter: QueueFilter,
): Promise<QueueEntryView[]> {
  const entries = await deps.store.queue.listQueue({
    ...(filter.state === undefined ? {} : { status: [filter.state] }),
    ...(filter.queue === undefined ? {} : { queue: filter.queue }),
  });
  const project = projectReader(deps.store);
  return Promise.all(entries.map((entry) => entryView(deps.store, entry, project)));
}

function claimedConflict(entry: QueueEntryRecord): LooperError {
  return new LooperError(
    'conflict',
    `queue entry ${entry.id} is claimed by node ${entry.leaseOwner ?? '?'}: its loop is running; cancel the loop instead (looper run cancel ${entry.loopId})`,
    { details: { entry_id: entry.id, loop_id: entry.loopId, owner: entry.leaseOwner } },
  );
}

/**
 * Removes a waiting entry. A loop that has not ended is cancelled first, through the runner like
 * `POST /loops/:id/cancel`: a crash between the two steps leaves a cancelled loop with a harmless
 * entry (claiming it finds nothing to do), never a live loop without one (which recovery would
 * queue again). An entry claimed meanwhile stays with its claimer, which finds the loop cancelled.
 */
export async function removeQueueEntry(
  deps: QueueAdminDeps,
  id: string,
  by?: string,
): Promise<QueueRemovedView> {
  const entry = await deps.store.queue.getEntry(id);
  if (entry === null || entry.status === 'done') {
    throw new LooperError('not_found', `queue entry ${id} not found (it may have run already)`);
  }
  if (entry.status === 'claimed') throw claimedConflict(entry);
  const project = projectReader(deps.store);
  const view = await entryView(deps.store, entry, project);
  const who = by ?? 'an API request';
  let cancelled = false;
  if (!isTerminalStage(view.stage)) {
    cancelled = await cancelFor(deps, entry.loopId, `removed from the queue by ${who}`);
  }
  await deps.store.queue.deleteQueuedEntry(entry.id);
  await deps.events.emit({
    loopId: entry.loopId,
    type: 'queue.removed',
    data: { entry_id: entry.id, queue: entry.queue, by: who, cancelled },
  });
  const loop = await deps.store.loops.getLoop(entry.loopId);
  return {
    entry: view,
    loop_id: loop.id,
    cancelled,
    stage: loop.stage,
    reason: loop.state.reason,
  };
}

/** Cancels the loop; false when it ended meanwhile (nothing left to stop). */
async function cancelFor(deps: QueueAdminDeps, loopId: string, reason: string): Promise<boolean> {
  try {
    await controlLoop(deps, loopId, 'cancel', 'resume', reason);
    return true;
  } catch (error) {
    if (!isLooperError(error) || error.code !== 'invalid_transition') throw error;
    const loop = await deps.store.loops.getLoop(loopId);
    if (isTerminalStage(loop.stage)) return false;
    throw error;
  }
}

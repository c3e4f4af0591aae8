import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killProcessGroup, processStartTime } from '../agents/index.js';
import { isLooperError, type LooperError } from '../domain/index.js';
import {
  createRunnerFixture,
  type RunnerFixture,
  // biome-ignore lint/style/noRestrictedImports: the runner's shared test fixture, not its public surface.
} from '../runner/runner-fixture.test-support.js';
import { createScheduler, dedupeKeyFor, recover } from '../scheduler/index.js';
import { listQueueViews, type QueueAdminDeps, removeQueueEntry } from './queue-admin.js';

let fx: RunnerFixture;
let deps: QueueAdminDeps;
beforeEach(async () => {
  fx = await createRunnerFixture();
  const scheduler = createScheduler({
    store: fx.store,
    runner: fx.runner,
    clock: fx.clock,
    log: fx.deps.log,
    nodeId: fx.nodeId,
    maxConcurrent: 1,
    leaseMs: 60_000,
  });
  deps = { store: fx.store, runner: fx.runner, scheduler, events: fx.deps.events };
});
afterEach(async () => {
  await fx.close();
});

const enqueue = (loopId: string, queue: 'manual' | 'planned' | 'auto') =>
  fx.store.queue.enqueue({ loopId, queue, dedupeKey: dedupeKeyFor(loopId) });

async function refusal(promise: Promise<unknown>): Promise<LooperError> {
  try {
    await promise;
  } catch (error) {
    if (isLooperError(error)) return error;
    throw error;
  }
  throw new Error('expected a LooperError');
}

describe('listing the queue', () => {
  it('lists live entries in claim order with their loop, lease and backoff, filtered on request', async () => {
    const auto = await fx.createLoop({ title: 'Automatic' });
    const manual = await fx.createLoop({ title: 'By hand' });
    const planned = await fx.createLoop({ title: 'Labelled' });
    const running = await fx.createLoop({ title: 'Running' });
    await enqueue(auto.id, 'auto');
    fx.clock.advance(1);
    await enqueue(planned.id, 'planned');
    fx.clock.advance(1);
    await enqueue(manual.id, 'manual');
    fx.clock.advance(1);
    await enqueue(running.id, 'manual');
    const start = fx.clock.now();
    const [claimed] = await fx.store.queue.claim({
      owner: 'node-b',
      leaseMs: 30_000,
      now: start,
      limit: 1,
      exclude: [manual.id],
    });
    // A transient failure put the planned one back with a delay (attempts + 1).
    const [retried] = await fx.store.queue.claim({
      owner: 'node-b',
      leaseMs: 1,
      now: start,
      limit: 1,
    });
    await fx.store.queue.release(retried?.id ?? '', 'node-b', {
      notBefore: start + 5_000,
      error: 'agent crashed',
    });

    const all = await listQueueViews(deps, {});

    expect(claimed?.loopId).toBe(running.id);
    expect(retried?.loopId).toBe(manual.id);
    expect(all.map((e) => [e.title, e.queue, e.state])).toEqual([
      ['By hand', 'manual', 'queued'],
      ['Running', 'manual', 'claimed'],
      ['Labelled', 'planned', 'queued'],
      ['Automatic', 'auto', 'queued'],
    ]);
    expect(all[0]).toMatchObject({
      loop_id: manual.id,
      project: { name: 'sample', path: fx.repo },
      number: manual.number,
      stage: 'queued',
      owner: null,
      lease_expires_at: null,
      attempts: 1,
      last_error: 'agent crashed',
      not_before: new Date(start + 5_000).toISOString(),
      enqueued_at: new Date(start - 1).toISOString(),
    });
    expect(all[1]).toMatchObject({
      owner: 'node-b',
      lease_expires_at: new Date(start + 30_000).toISOString(),
      attempts: 0,
    });
    const waitingManual = await listQueueViews(deps, { queue: 'manual', state: 'queued' });
    expect(waitingManual.map((e) => e.loop_id)).toEqual([manual.id]);
    const claimedOnly = await listQueueViews(deps, { state: 'claimed' });
    expect(claimedOnly.map((e) => e.loop_id)).toEqual([running.id]);
  });
});

describe('removing an entry', () => {
  it('cancels the waiting loop with the reason, and recovery at the next start leaves it cancelled', async () => {
    const loop = await fx.createLoop({ title: 'Not now' });
    const entry = await enqueue(loop.id, 'manual');

    const removed = await removeQueueEntry(deps, entry.id, 'alice (looper queue clear)');

    expect(removed).toMatchObject({
      entry: { id: entry.id, loop_id: loop.id, state: 'queued' },
      loop_id: loop.id,
      cancelled: true,
      stage: 'cancelled',
      reason: 'removed from the queue by alice (looper queue clear)',
    });
    expect(await fx.store.queue.getEntry(entry.id)).toBeNull();
    expect(await fx.events(loop.id, 'queue.removed')).toMatchObject([
      {
        data: {
          entry_id: entry.id,
          queue: 'manual',
          by: 'alice (looper queue clear)',
          cancelled: true,
        },
      },
    ]);
    expect(await fx.stateLabelsOf(loop)).toEqual([]);

    const report = await recover({
      store: fx.store,
      nodeId: fx.nodeId,
      log: fx.deps.log,
      now: () => fx.clock.now(),
      processes: { startTime: processStartTime, killGroup: killProcessGroup },
      emit: (event) => fx.deps.events.emit(event),
    });

    expect(report.requeuedLoops).toEqual([]);
    expect(await fx.store.queue.listQueue()).toEqual([]);
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('cancelled');
  });

  it('says "by an API request" when no one is named, and cancels a paused loop too', async () => {
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, new AbortController().signal); // queued → planning
    await fx.saveState(loop.id, { paused: true });
    const entry = await enqueue(loop.id, 'planned');

    const removed = await removeQueueEntry(deps, entry.id);

    expect(removed).toMatchObject({
      cancelled: true,
      stage: 'cancelled',
      reason: 'removed from the queue by an API request',
    });
    const stages = await fx.stagesSeen(loop.id);
    expect(stages.at(-1)).toBe('cancelled');
  });

  it('removes the leftover entry of a loop that has ended without touching the loop', async () => {
    const loop = await fx.createLoop();
    await fx.saveState(loop.id, { stage: 'needs_human', reason: 'stuck' });
    const entry = await enqueue(loop.id, 'auto');

    const removed = await removeQueueEntry(deps, entry.id, 'bob');

    expect(removed).toMatchObject({ cancelled: false, stage: 'needs_human', reason: 'stuck' });
    expect(await fx.store.queue.getEntry(entry.id)).toBeNull();
  });

  it('refuses a claimed entry with 409 conflict and leaves the loop and the entry alone', async () => {
    const loop = await fx.createLoop({ title: 'Busy' });
    const entry = await enqueue(loop.id, 'manual');
    await fx.store.queue.claim({
      owner: 'node-b',
      leaseMs: 60_000,
      now: fx.clock.now(),
      limit: 1,
    });

    const error = await refusal(removeQueueEntry(deps, entry.id));

    expect(error.code).toBe('conflict');
    expect(error.httpStatus).toBe(409);
    expect(error.message).toContain(`looper run cancel ${loop.id}`);
    expect(error.details).toEqual({ entry_id: entry.id, loop_id: loop.id, owner: 'node-b' });
    expect((await fx.store.queue.getEntry(entry.id))?.status).toBe('claimed');
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('queued');
  });

  it('answers not_found for an unknown entry and for one that has run', async () => {
    const loop = await fx.createLoop();
    const entry = await enqueue(loop.id, 'manual');
    await fx.store.queue.claim({
      owner: fx.nodeId,
      leaseMs: 60_000,
      now: fx.clock.now(),
      limit: 1,
    });
    await fx.store.queue.complete(entry.id, fx.nodeId);

    expect((await refusal(removeQueueEntry(deps, 'q_missing'))).code).toBe('not_found');
    expect((await refusal(removeQueueEntry(deps, entry.id))).code).toBe('not_found');
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('queued');
  });
});

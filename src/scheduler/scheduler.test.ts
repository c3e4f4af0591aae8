import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aborted,
  createRunnerFixture,
  type Deferred,
  defaultScripts,
  deferred,
  outcome,
  type RunnerFixture,
  // biome-ignore lint/style/noRestrictedImports: the runner's shared test fixture, not its public surface.
} from '../runner/runner-fixture.test-support.js';
import { createScheduler, dedupeKeyFor, type Scheduler } from './scheduler.js';

let fx: RunnerFixture;
let scheduler: Scheduler | null = null;
beforeEach(async () => {
  fx = await createRunnerFixture();
});
afterEach(async () => {
  await scheduler?.stop(0);
  scheduler = null;
  await fx.close();
});

function startScheduler(maxConcurrent: number): Scheduler {
  scheduler = createScheduler({
    store: fx.store,
    runner: fx.runner,
    clock: fx.clock,
    log: fx.deps.log,
    nodeId: fx.nodeId,
    maxConcurrent,
    leaseMs: 60_000,
    random: () => 0.5,
  });
  scheduler.start();
  return scheduler;
}

async function enqueue(loopId: string): Promise<void> {
  await fx.store.queue.enqueue({ loopId, queue: 'manual', dedupeKey: dedupeKeyFor(loopId) });
}

const toStage = (stage: string) => (e: { type: string; data: Record<string, unknown> }) =>
  e.type === 'loop.stage' && e.data.to === stage;

describe('createScheduler', () => {
  it('runs at most maxConcurrent loops at once and drives them all to ready', async () => {
    const loops = [];
    for (let i = 1; i <= 5; i++) loops.push(await fx.createLoop({ title: `Feature ${i}` }));
    for (const loop of loops) await enqueue(loop.id);
    const gates: Deferred<void>[] = [];
    let arrived = deferred();
    fx.agents.script('planner', async (req) => {
      const gate = deferred();
      gates.push(gate);
      arrived.resolve();
      await Promise.race([gate.promise, aborted(req.signal)]);
      return defaultScripts.planner(req);
    });
    const allReady = fx.waitForEvents(toStage('ready'), 5);

    const running = startScheduler(2);
    let released = 0;
    while (released < 5) {
      // Wait until as many planners as may run at once are blocked, then let them all go.
      while (gates.length < Math.min(2, 5 - released)) {
        await arrived.promise;
        arrived = deferred();
      }
      // No third loop may have been claimed while two are held.
      expect(fx.agents.active).toBeLessThanOrEqual(2);
      expect(running.activeLoops().length).toBeLessThanOrEqual(2);
      expect((await fx.store.queue.countQueue()).claimed).toBeLessThanOrEqual(2);
      const open = gates.splice(0);
      released += open.length;
      for (const gate of open) gate.resolve();
    }
    await allReady;
    await running.stop(60_000); // lets the last steps settle their queue entries

    expect(fx.agents.maxActive).toBe(2);
    for (const loop of loops) expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('ready');
    expect(await fx.store.queue.listQueue()).toEqual([]);
  });

  it('puts a transient failure back in the queue with a backoff delay', async () => {
    fx.agents.script('planner', () =>
      outcome({ status: 'failed', exitCode: 1, errorKind: 'crash', errorMessage: 'agent crashed' }),
    );
    const loop = await fx.createLoop();
    await enqueue(loop.id);
    const failed = fx.waitForEvents((e) => e.type === 'step.failed');

    const running = startScheduler(1);
    await failed;
    await running.stop(60_000); // waits for the claimed entry to be settled

    const [entry] = await fx.store.queue.listQueue({ loopId: loop.id });
    expect(entry).toMatchObject({ status: 'queued', leaseOwner: null, attempts: 1 });
    expect(entry?.notBefore).toBe(fx.clock.now() + 5_000);
    expect(entry?.lastError).toContain('agent crashed');
    const claim = (now: number) =>
      fx.store.queue.claim({ owner: 'x', leaseMs: 1_000, now, limit: 1 });
    expect(await claim(fx.clock.now() + 4_999)).toEqual([]);
    expect(await claim(fx.clock.now() + 5_000)).toHaveLength(1);
    expect((await fx.store.loops.getLoop(loop.id)).state.attempt).toBe(2);
  });

  it('stop aborts a running step after the grace period and leaves the loop resumable', async () => {
    let abortedAfterMs = -1;
    let stopCalledAt = 0;
    fx.agents.script('planner', async (req) => {
      await aborted(req.signal);
      abortedAfterMs = Date.now() - stopCalledAt;
      return outcome({ status: 'cancelled', exitCode: null, signal: 'SIGTERM' });
    });
    const loop = await fx.createLoop();
    await enqueue(loop.id);
    const started = fx.agents.nextRequest('planner');
    const running = startScheduler(1);
    await started;

    stopCalledAt = Date.now();
    await running.stop(100);

    expect(abortedAfterMs).toBeGreaterThanOrEqual(95);
    expect(running.activeLoops()).toEqual([]);
    const [entry] = await fx.store.queue.listQueue({ loopId: loop.id });
    expect(entry).toMatchObject({ status: 'queued', leaseOwner: null });
    const stopped = await fx.store.loops.getLoop(loop.id);
    expect(stopped).toMatchObject({ stage: 'planning', paused: false });
    expect((await fx.store.runs.listRunsForLoop(loop.id)).map((r) => r.status)).toEqual([
      'cancelled',
    ]);

    // A new scheduler picks the loop up where it stopped.
    fx.agents.script('planner', defaultScripts.planner);
    const ready = fx.waitForEvents(toStage('ready'));
    startScheduler(1);
    await ready;
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('ready');
  });
});

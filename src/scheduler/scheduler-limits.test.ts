import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../config/index.js';
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
import { createAdmission } from './admission.js';
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

const hourMs = 3_600_000;

function project(overrides: Partial<ProjectConfig>): ProjectConfig {
  return { 'base-branch': 'main', 'max-concurrent': 2, ...overrides };
}

async function enqueue(loopId: string): Promise<void> {
  await fx.store.queue.enqueue({ loopId, queue: 'manual', dedupeKey: dedupeKeyFor(loopId) });
}

const toReady = (e: { type: string; data: Record<string, unknown> }) =>
  e.type === 'loop.stage' && e.data.to === 'ready';

describe('per-project max-concurrent', () => {
  it('runs one loop of a project limited to 1 at a time though the global limit allows 4', async () => {
    const loops = [];
    for (let i = 1; i <= 3; i++) loops.push(await fx.createLoop({ title: `Feature ${i}` }));
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
    const allReady = fx.waitForEvents(toReady, 3);
    scheduler = createScheduler({
      store: fx.store,
      runner: fx.runner,
      clock: fx.clock,
      log: fx.deps.log,
      nodeId: fx.nodeId,
      maxConcurrent: 4,
      leaseMs: 60_000,
      admission: createAdmission({
        store: fx.store,
        clock: fx.clock,
        projects: [project({ path: fx.repo, 'max-concurrent': 1 })],
        maxNewPrsPerHour: 0,
      }),
    });
    scheduler.start();

    for (let released = 0; released < 3; released++) {
      await arrived.promise;
      arrived = deferred();
      expect(scheduler.activeLoops()).toHaveLength(1);
      expect((await fx.store.queue.countQueue()).claimed).toBe(1);
      gates.shift()?.resolve();
    }
    await allReady;
    await scheduler.stop(60_000);

    expect(fx.agents.maxActive).toBe(1);
    for (const loop of loops) expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('ready');
  });
});

describe('loop.max-new-prs-per-hour', () => {
  it('holds back loops that would open a PR once the project opened its quota in the last hour', async () => {
    const a = await fx.createLoop({ title: 'First' });
    const b = await fx.createLoop({ title: 'Second' });
    const c = await fx.createLoop({ title: 'Has a PR' });
    for (const loop of [a, b, c]) await enqueue(loop.id);
    await fx.store.loops.saveLoopState(
      c.id,
      { state: c.state, pendingEffects: [], prNumber: 7 },
      c.version,
    );
    const admission = createAdmission({
      store: fx.store,
      clock: fx.clock,
      projects: [],
      maxNewPrsPerHour: 1,
    });
    if (admission === null) throw new Error('a PR cap makes an admission');

    expect(await admission.blocked([])).toEqual([]);
    const [claimed] = await fx.store.queue.claim({
      owner: fx.nodeId,
      leaseMs: 60_000,
      now: fx.clock.now(),
      limit: 1,
    });
    expect(claimed?.loopId).toBe(a.id);
    // A running loop without a PR is about to open one: it uses up the quota.
    expect(await admission.blocked([a.id])).toEqual([b.id]);

    await fx.deps.events.emit({
      loopId: a.id,
      type: 'pr.opened',
      data: { project_id: a.projectId, number: 1, head: 'looper/1-first' },
    });
    const opened = await fx.store.loops.getLoop(a.id);
    await fx.store.loops.saveLoopState(
      a.id,
      { state: opened.state, pendingEffects: [], prNumber: 1 },
      opened.version,
    );
    // The PR it opened now counts: still no room for another within the hour.
    expect(await admission.blocked([a.id])).toEqual([b.id]);

    fx.clock.advance(hourMs + 1);
    expect(await admission.blocked([a.id])).toEqual([]);
  });

  it('is counted per project and off at 0', async () => {
    const a = await fx.createLoop({ title: 'First' });
    await enqueue(a.id);
    await fx.deps.events.emit({
      loopId: null,
      type: 'pr.opened',
      data: { project_id: 'prj_other', number: 1, head: 'x' },
    });
    const capped = createAdmission({
      store: fx.store,
      clock: fx.clock,
      projects: [],
      maxNewPrsPerHour: 1,
    });
    expect(await capped?.blocked([])).toEqual([]);
    expect(
      createAdmission({ store: fx.store, clock: fx.clock, projects: [], maxNewPrsPerHour: 0 }),
    ).toBeNull();
  });
});

describe('[scheduler] retry delays', () => {
  it('releases a transient failure after the configured base delay', async () => {
    fx.agents.script('planner', () =>
      outcome({ status: 'failed', exitCode: 1, errorKind: 'crash', errorMessage: 'agent crashed' }),
    );
    const loop = await fx.createLoop();
    await enqueue(loop.id);
    const failed = fx.waitForEvents((e) => e.type === 'step.failed');
    scheduler = createScheduler({
      store: fx.store,
      runner: fx.runner,
      clock: fx.clock,
      log: fx.deps.log,
      nodeId: fx.nodeId,
      maxConcurrent: 1,
      leaseMs: 60_000,
      random: () => 0.5,
      backoff: { baseMs: 250, maxMs: 1_000 },
    });
    scheduler.start();
    await failed;
    await scheduler.stop(60_000);

    const [entry] = await fx.store.queue.listQueue({ loopId: loop.id });
    expect(entry?.notBefore).toBe(fx.clock.now() + 250);
  });
});

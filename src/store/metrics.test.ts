import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from './test-helpers.js';

let t: TestStore;
beforeEach(async () => {
  t = await openTestStore();
});
afterEach(() => t.cleanup());

async function makeLoop(number: number) {
  const { store } = t;
  const project =
    (await store.projects.findProjectByPath('/p')) ??
    (await store.projects.createProject({ name: 'p', forge: 'local', path: '/p' }));
  return store.loops.createLoop({ projectId: project.id, kind: 'issue', number, title: 'x' });
}

describe('metrics aggregates', () => {
  it('are zero on an empty store', async () => {
    const { metrics } = t.store;
    expect(await metrics.countQueueEntries()).toEqual([]);
    expect(await metrics.countRuns()).toEqual([]);
    expect(await metrics.usageTotals()).toEqual({
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
    });
    expect(await metrics.eventsTotal()).toBe(0);
  });

  it('count queue entries and runs by their labels, and sum usage over loops', async () => {
    const { store } = t;
    const first = await makeLoop(1);
    const second = await makeLoop(2);
    await store.queue.enqueue({ loopId: first.id, queue: 'manual', dedupeKey: 'a' });
    await store.queue.enqueue({ loopId: second.id, queue: 'auto', dedupeKey: 'b' });
    const run = { stage: 'planning', attempt: 1, logPath: '/l' } as const;
    const planner = await store.runs.createRun({
      ...run,
      loopId: first.id,
      role: 'planner',
      vendor: 'codex',
    });
    await store.runs.finishRun(planner.id, { status: 'succeeded' });
    await store.runs.createRun({ ...run, loopId: first.id, role: 'planner', vendor: 'codex' });
    await store.runs.createRun({ ...run, loopId: second.id, role: 'worker', vendor: 'gemini' });
    await store.loops.addLoopUsage(first.id, {
      inputTokens: 100,
      outputTokens: 20,
      cachedTokens: 5,
      costUsd: 0.25,
    });
    await store.loops.addLoopUsage(second.id, {
      inputTokens: 1,
      outputTokens: 2,
      cachedTokens: 3,
      costUsd: 0.5,
    });
    await store.events.appendEvent({ type: 'loop.created' });
    await store.events.appendEvent({ type: 'loop.created' });

    const byKey = <T extends { count: number }>(rows: T[], key: (row: T) => string) =>
      Object.fromEntries(rows.map((row) => [key(row), row.count]));
    expect(byKey(await store.metrics.countQueueEntries(), (r) => `${r.queue}/${r.status}`)).toEqual(
      { 'manual/queued': 1, 'auto/queued': 1 },
    );
    expect(
      byKey(await store.metrics.countRuns(), (r) => `${r.role}/${r.vendor}/${r.status}`),
    ).toEqual({
      'planner/codex/succeeded': 1,
      'planner/codex/running': 1,
      'worker/gemini/running': 1,
    });
    expect(await store.metrics.usageTotals()).toEqual({
      costUsd: 0.75,
      inputTokens: 101,
      outputTokens: 22,
      cachedTokens: 8,
    });
    expect(await store.metrics.eventsTotal()).toBe(2);
  });
});

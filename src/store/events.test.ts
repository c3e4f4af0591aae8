import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from './test-helpers.js';

let t: TestStore;
beforeEach(async () => {
  t = await openTestStore();
});
afterEach(() => t.cleanup());

describe('events', () => {
  it('appends events with strictly increasing ids and reads them forward from a cursor', async () => {
    const { events } = t.store;
    expect(await events.latestEventId()).toBe(0);
    const appended = [];
    for (let i = 0; i < 20; i += 1) {
      appended.push(
        await events.appendEvent({
          loopId: i % 2 === 0 ? 'loop_a' : 'loop_b',
          runId: i === 3 ? 'run_x' : null,
          type: 'loop.stage',
          data: { i, nested: { ok: true } },
        }),
      );
    }
    const ids = appended.map((e) => e.id);
    for (let i = 1; i < ids.length; i += 1) expect(ids[i]).toBeGreaterThan(ids[i - 1] ?? 0);
    expect(await events.latestEventId()).toBe(ids.at(-1));

    expect(appended[3]).toMatchObject({
      loopId: 'loop_b',
      runId: 'run_x',
      data: { i: 3, nested: { ok: true } },
    });
    expect(appended[0]?.at).toBe(t.clock.now());

    const after = await events.listEvents({ after: ids[14] });
    expect(after.map((e) => e.id)).toEqual(ids.slice(15));
    const forLoop = await events.listEvents({ loopId: 'loop_a', limit: 3 });
    expect(forLoop.map((e) => e.data.i)).toEqual([0, 2, 4]);
    expect(await events.listEvents({ after: ids.at(-1) })).toEqual([]);
  });

  it("finds a loop's newest event of a type", async () => {
    const { events } = t.store;
    await events.appendEvent({ loopId: 'loop_a', type: 'step.failed', data: { attempt: 1 } });
    const newest = await events.appendEvent({
      loopId: 'loop_a',
      type: 'step.failed',
      data: { attempt: 2 },
    });
    await events.appendEvent({ loopId: 'loop_a', type: 'loop.stage', data: {} });
    await events.appendEvent({ loopId: 'loop_b', type: 'step.failed', data: { attempt: 9 } });

    expect(await events.latestEvent({ loopId: 'loop_a', type: 'step.failed' })).toEqual(newest);
    expect(await events.latestEvent({ loopId: 'loop_c', type: 'step.failed' })).toBeNull();
  });

  it('never reuses an id, even after the newest events are deleted', async () => {
    const { events, db } = t.store;
    const first = await events.appendEvent({ type: 'daemon.started' });
    const second = await events.appendEvent({ type: 'daemon.stopping' });
    await db.deleteFrom('events').where('id', '=', second.id).execute();
    const third = await events.appendEvent({ type: 'daemon.started' });
    expect(third.id).toBeGreaterThan(second.id);
    expect(first.data).toEqual({});
    expect(first.loopId).toBeNull();
  });
});

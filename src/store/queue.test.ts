import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoopRecord } from './loops.js';
import { openTestStore, type TestStore } from './test-helpers.js';

let t: TestStore;
let loops: LoopRecord[];

beforeEach(async () => {
  t = await openTestStore();
  const project = await t.store.projects.createProject({ name: 'p', forge: 'local', path: '/p' });
  loops = [];
  for (let n = 1; n <= 6; n += 1) {
    loops.push(
      await t.store.loops.createLoop({
        projectId: project.id,
        kind: 'issue',
        number: n,
        title: `#${n}`,
      }),
    );
  }
});
afterEach(() => t.cleanup());

const loopId = (n: number) => loops[n - 1]?.id ?? '';
const lease = 60_000;

describe('queue', () => {
  it('claims manual before planned before auto, and FIFO within a queue', async () => {
    const { queue } = t.store;
    await queue.enqueue({ loopId: loopId(1), queue: 'auto', dedupeKey: 'k1' });
    t.clock.advance(1);
    await queue.enqueue({ loopId: loopId(2), queue: 'planned', dedupeKey: 'k2' });
    t.clock.advance(1);
    await queue.enqueue({ loopId: loopId(3), queue: 'manual', dedupeKey: 'k3' });
    t.clock.advance(1);
    await queue.enqueue({ loopId: loopId(4), queue: 'planned', dedupeKey: 'k4' });
    // Same millisecond as the entry before: still FIFO.
    await queue.enqueue({ loopId: loopId(5), queue: 'planned', dedupeKey: 'k5' });

    const claimed = await queue.claim({
      owner: 'a',
      leaseMs: lease,
      now: t.clock.now(),
      limit: 10,
    });
    expect(claimed.map((e) => e.dedupeKey)).toEqual(['k3', 'k2', 'k4', 'k5', 'k1']);
    expect(claimed.every((e) => e.status === 'claimed' && e.leaseOwner === 'a')).toBe(true);
    expect(claimed[0]?.leaseExpiresAt).toBe(t.clock.now() + lease);
    expect(
      await queue.claim({ owner: 'b', leaseMs: lease, now: t.clock.now(), limit: 10 }),
    ).toEqual([]);
  });

  it('honours limit, not_before and exclude', async () => {
    const { queue } = t.store;
    const now = t.clock.now();
    await queue.enqueue({
      loopId: loopId(1),
      queue: 'manual',
      dedupeKey: 'later',
      notBefore: now + 1000,
    });
    await queue.enqueue({ loopId: loopId(2), queue: 'auto', dedupeKey: 'b' });
    await queue.enqueue({ loopId: loopId(3), queue: 'auto', dedupeKey: 'c' });

    const one = await queue.claim({
      owner: 'a',
      leaseMs: lease,
      now,
      limit: 1,
      exclude: [loopId(2)],
    });
    expect(one.map((e) => e.dedupeKey)).toEqual(['c']);
    expect(
      await queue.claim({ owner: 'a', leaseMs: lease, now, limit: 5, exclude: [loopId(2)] }),
    ).toEqual([]);
    const later = await queue.claim({ owner: 'a', leaseMs: lease, now: now + 1000, limit: 5 });
    expect(later.map((e) => e.dedupeKey)).toEqual(['later', 'b']);
  });

  it('never claims a second entry for a loop that is already claimed', async () => {
    const { queue } = t.store;
    await queue.enqueue({ loopId: loopId(1), queue: 'manual', dedupeKey: 'x' });
    await queue.enqueue({ loopId: loopId(1), queue: 'manual', dedupeKey: 'y' });
    const first = await queue.claim({ owner: 'a', leaseMs: lease, now: t.clock.now(), limit: 5 });
    expect(first.map((e) => e.dedupeKey)).toEqual(['x']);
    expect(await queue.claim({ owner: 'b', leaseMs: lease, now: t.clock.now(), limit: 5 })).toEqual(
      [],
    );
    await queue.complete(first[0]?.id ?? '', 'a');
    const second = await queue.claim({ owner: 'b', leaseMs: lease, now: t.clock.now(), limit: 5 });
    expect(second.map((e) => e.dedupeKey)).toEqual(['y']);
  });

  it('dedupes live entries, raising a queued one to the more urgent queue', async () => {
    const { queue } = t.store;
    const first = await queue.enqueue({ loopId: loopId(1), queue: 'auto', dedupeKey: 'loop:1' });
    const again = await queue.enqueue({ loopId: loopId(1), queue: 'auto', dedupeKey: 'loop:1' });
    expect(again.id).toBe(first.id);
    const raised = await queue.enqueue({ loopId: loopId(1), queue: 'manual', dedupeKey: 'loop:1' });
    expect(raised).toMatchObject({ id: first.id, queue: 'manual', priority: 0 });
    const notLowered = await queue.enqueue({
      loopId: loopId(1),
      queue: 'planned',
      dedupeKey: 'loop:1',
    });
    expect(notLowered).toMatchObject({ id: first.id, queue: 'manual' });
    expect(await queue.countQueue()).toEqual({ queued: 1, claimed: 0 });

    const [claimed] = await queue.claim({
      owner: 'a',
      leaseMs: lease,
      now: t.clock.now(),
      limit: 1,
    });
    const whileClaimed = await queue.enqueue({
      loopId: loopId(1),
      queue: 'manual',
      dedupeKey: 'loop:1',
    });
    expect(whileClaimed).toMatchObject({ id: first.id, status: 'claimed' });

    expect(await queue.complete(claimed?.id ?? '', 'a')).toBe(true);
    const fresh = await queue.enqueue({ loopId: loopId(1), queue: 'auto', dedupeKey: 'loop:1' });
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.status).toBe('queued');
  });

  it('renews, completes and releases only for the lease owner', async () => {
    const { queue } = t.store;
    await queue.enqueue({ loopId: loopId(1), queue: 'manual', dedupeKey: 'a' });
    const [entry] = await queue.claim({
      owner: 'me',
      leaseMs: lease,
      now: t.clock.now(),
      limit: 1,
    });
    const id = entry?.id ?? '';

    t.clock.advance(10_000);
    expect(await queue.renewLease(id, 'other', lease)).toBe(false);
    expect(await queue.renewLease(id, 'me', lease)).toBe(true);
    expect((await queue.getEntry(id))?.leaseExpiresAt).toBe(t.clock.now() + lease);

    expect(await queue.release(id, 'other')).toBe(false);
    const retryAt = t.clock.now() + 5000;
    expect(await queue.release(id, 'me', { notBefore: retryAt, error: 'rate limited' })).toBe(true);
    expect(await queue.getEntry(id)).toMatchObject({
      status: 'queued',
      leaseOwner: null,
      attempts: 1,
      notBefore: retryAt,
      lastError: 'rate limited',
    });
    expect(
      await queue.claim({ owner: 'me', leaseMs: lease, now: t.clock.now(), limit: 1 }),
    ).toEqual([]);
    const [again] = await queue.claim({ owner: 'me', leaseMs: lease, now: retryAt, limit: 1 });
    expect(again?.id).toBe(id);
    expect(await queue.complete(id, 'other')).toBe(false);
    expect(await queue.complete(id, 'me')).toBe(true);
    expect((await queue.getEntry(id))?.status).toBe('done');
    expect(await queue.listQueue()).toEqual([]);
    expect((await queue.listQueue({ status: ['done'] })).map((e) => e.id)).toEqual([id]);
  });

  it('returns entries with expired leases to the queue', async () => {
    const { queue } = t.store;
    await queue.enqueue({ loopId: loopId(1), queue: 'manual', dedupeKey: 'a' });
    await queue.enqueue({ loopId: loopId(2), queue: 'manual', dedupeKey: 'b' });
    const now = t.clock.now();
    const [short] = await queue.claim({ owner: 'dead', leaseMs: 1000, now, limit: 1 });
    await queue.claim({ owner: 'alive', leaseMs: 60_000, now, limit: 1 });

    expect(await queue.expireLeases(now + 999)).toEqual([]);
    const expired = await queue.expireLeases(now + 1000);
    expect(expired.map((e) => e.id)).toEqual([short?.id]);
    expect(expired[0]).toMatchObject({ status: 'queued', leaseOwner: null, attempts: 1 });
    expect(await queue.countQueue()).toEqual({ queued: 1, claimed: 1 });

    const [taken] = await queue.claim({ owner: 'heir', leaseMs: 1000, now: now + 1000, limit: 5 });
    expect(taken?.id).toBe(short?.id);
    expect(await queue.complete(short?.id ?? '', 'dead')).toBe(false);
  });

  it('lists live entries in claim order and deletes entries', async () => {
    const { queue } = t.store;
    const a = await queue.enqueue({ loopId: loopId(1), queue: 'auto', dedupeKey: 'a' });
    const b = await queue.enqueue({ loopId: loopId(2), queue: 'manual', dedupeKey: 'b' });
    expect((await queue.listQueue()).map((e) => e.id)).toEqual([b.id, a.id]);
    expect((await queue.listQueue({ loopId: loopId(1) })).map((e) => e.id)).toEqual([a.id]);
    await queue.deleteEntry(a.id);
    expect(await queue.getEntry(a.id)).toBeNull();
    expect(await queue.countQueue()).toEqual({ queued: 1, claimed: 0 });
  });

  it('filters the list by queue, and deletes only a waiting entry when asked to', async () => {
    const { queue } = t.store;
    const a = await queue.enqueue({ loopId: loopId(1), queue: 'auto', dedupeKey: 'a' });
    const b = await queue.enqueue({ loopId: loopId(2), queue: 'manual', dedupeKey: 'b' });
    const c = await queue.enqueue({ loopId: loopId(3), queue: 'auto', dedupeKey: 'c' });
    await queue.claim({ owner: 'n', leaseMs: lease, now: t.clock.now(), limit: 1 });

    expect((await queue.listQueue({ queue: 'auto' })).map((e) => e.id)).toEqual([a.id, c.id]);
    expect(
      (await queue.listQueue({ queue: 'manual', status: ['claimed'] })).map((e) => e.id),
    ).toEqual([b.id]);
    expect(await queue.deleteQueuedEntry(b.id)).toBe(false);
    expect((await queue.getEntry(b.id))?.status).toBe('claimed');
    expect(await queue.deleteQueuedEntry(a.id)).toBe(true);
    expect(await queue.getEntry(a.id)).toBeNull();
    expect(await queue.deleteQueuedEntry(a.id)).toBe(false);
  });
});

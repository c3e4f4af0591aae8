import { describe, expect, it } from 'vitest';
import { createApiApp } from './app.js';
import { FakeService, makeQueueEntry } from './fake-service.test-support.js';
import type { FailureView } from './queue-dto.js';

const token = 'test-token-0123456789';
const base = 'http://127.0.0.1:4321/api/v1';
const auth = { authorization: `Bearer ${token}` };

function setup() {
  const service = new FakeService();
  const app = createApiApp({
    service,
    token,
    host: 'looper.test',
    port: 4321,
    version: '1.2.3',
    readsNeedToken: false,
  });
  return { app, service };
}

const del = (headers: Record<string, string> = auth): RequestInit => ({
  method: 'DELETE',
  headers,
});

describe('GET /queue', () => {
  it('answers the entries in the order the service gives them, with their loop', async () => {
    const { app, service } = setup();
    service.queue.push(
      makeQueueEntry('q_1', { state: 'claimed', owner: 'node-a', loop_id: 'loop_1' }),
      makeQueueEntry('q_2', { loop_id: 'loop_2', title: 'Second', queue: 'planned' }),
    );

    const res = await app.request(`${base}/queue`);

    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; data: { id: string }[] };
    expect(body.ok).toBe(true);
    expect(body.data.map((e) => e.id)).toEqual(['q_1', 'q_2']);
    expect(body.data[1]).toMatchObject({ loop_id: 'loop_2', title: 'Second', queue: 'planned' });
    expect(service.queueFilters).toEqual([{}]);
  });

  it('passes ?queue= and ?state= through and rejects values that are neither', async () => {
    const { app, service } = setup();
    service.queue.push(
      makeQueueEntry('q_1', { queue: 'manual' }),
      makeQueueEntry('q_2', { queue: 'auto' }),
      makeQueueEntry('q_3', { queue: 'auto', state: 'claimed', owner: 'node-a' }),
    );

    const filtered = await app.request(`${base}/queue?queue=auto&state=queued`);
    const badQueue = await app.request(`${base}/queue?queue=urgent`);
    const badState = await app.request(`${base}/queue?state=done`);
    const unknown = await app.request(`${base}/queue?owner=me`);

    expect(await filtered.json()).toMatchObject({ ok: true, data: [{ id: 'q_2' }] });
    expect(service.queueFilters).toEqual([{ queue: 'auto', state: 'queued' }]);
    for (const res of [badQueue, badState, unknown]) {
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    }
  });
});

describe('DELETE /queue/:id', () => {
  it('removes a waiting entry and answers the entry with its cancelled loop', async () => {
    const { app, service } = setup();
    service.queue.push(makeQueueEntry('q_1', { loop_id: 'loop_7' }));

    const res = await app.request(`${base}/queue/q_1?by=alice`, del());

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      data: {
        entry: expect.objectContaining({ id: 'q_1', loop_id: 'loop_7' }),
        loop_id: 'loop_7',
        cancelled: true,
        stage: 'cancelled',
        reason: 'removed from the queue by alice',
      },
    });
    expect(service.removals).toEqual([{ id: 'q_1', by: 'alice' }]);
    expect(service.queue).toEqual([]);
  });

  it('needs the bearer token', async () => {
    const { app, service } = setup();
    service.queue.push(makeQueueEntry('q_1'));

    const res = await app.request(`${base}/queue/q_1`, del({}));

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(service.queue.map((e) => e.id)).toEqual(['q_1']);
  });

  it('answers 409 conflict for a claimed entry and 404 for an unknown one', async () => {
    const { app, service } = setup();
    service.queue.push(makeQueueEntry('q_1', { state: 'claimed', owner: 'node-a' }));

    const claimed = await app.request(`${base}/queue/q_1`, del());
    const unknown = await app.request(`${base}/queue/q_9`, del());

    expect(claimed.status).toBe(409);
    expect(await claimed.json()).toMatchObject({
      ok: false,
      error: { code: 'conflict', details: { entry_id: 'q_1', owner: 'node-a' } },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(service.removals).toEqual([]);
  });

  it('refuses a `by` with control characters or too long', async () => {
    const { app, service } = setup();
    service.queue.push(makeQueueEntry('q_1'));

    const control = await app.request(`${base}/queue/q_1?by=${encodeURIComponent('a\nb')}`, del());
    const long = await app.request(`${base}/queue/q_1?by=${'x'.repeat(101)}`, del());

    expect(control.status).toBe(422);
    expect(long.status).toBe(422);
    expect(service.removals).toEqual([]);
  });
});

describe('GET /failures', () => {
  const failure = (id: string): FailureView => ({
    loop_id: id,
    project: { id: 'prj_1', name: 'demo', path: '/tmp/demo', repo: null },
    kind: 'issue',
    number: 3,
    title: 'Broken',
    stage: 'needs_human',
    stopped_at: 'planning',
    reason: 'agent exited 1 (gave up after 3 attempts)',
    finished_at: '2030-01-01T00:00:00.000Z',
    last_failure: null,
  });

  it('answers the newest failures up to ?limit= (default 20) and validates the limit', async () => {
    const { app, service } = setup();
    for (let n = 1; n <= 25; n++) service.failures.push(failure(`loop_${n}`));

    const plain = await app.request(`${base}/failures`);
    const two = await app.request(`${base}/failures?limit=2`);
    const bad = await app.request(`${base}/failures?limit=0`);

    expect(((await plain.json()) as { data: unknown[] }).data).toHaveLength(20);
    expect(await two.json()).toMatchObject({
      ok: true,
      data: [
        { loop_id: 'loop_1', reason: expect.stringContaining('gave up') },
        { loop_id: 'loop_2' },
      ],
    });
    expect(bad.status).toBe(422);
  });
});

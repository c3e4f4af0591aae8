import { describe, expect, it } from 'vitest';
import { createApiApp } from './app.js';
import { FakeService, makeLoop } from './fake-service.test-support.js';

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

const post = (body?: string, headers: Record<string, string> = auth): RequestInit => ({
  method: 'POST',
  ...(body === undefined ? {} : { body }),
  headers: { 'content-type': 'application/json', ...headers },
});

describe('loop control routes', () => {
  it('pause, resume and approve answer the loop as it is now', async () => {
    const { app, service } = setup();
    service.loops.set('loop_1', makeLoop('loop_1', { stage: 'awaiting_approval' }));

    const paused = await app.request(`${base}/loops/loop_1/pause`, post());
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ ok: true, data: { id: 'loop_1', paused: true } });
    const resumed = await app.request(`${base}/loops/loop_1/resume`, post());
    expect(await resumed.json()).toMatchObject({ data: { paused: false } });
    const approved = await app.request(`${base}/loops/loop_1/approve`, post());
    expect(await approved.json()).toMatchObject({ data: { stage: 'working' } });
  });

  it('refuses an action the state does not allow with 409 invalid_transition naming the stage', async () => {
    const { app, service } = setup();
    service.loops.set('loop_1', makeLoop('loop_1', { stage: 'ready' }));

    const res = await app.request(`${base}/loops/loop_1/resume`, post());

    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      ok: false,
      error: {
        code: 'invalid_transition',
        message: 'cannot resume loop_1 at stage ready',
        details: { stage: 'ready', paused: false },
      },
    });
  });

  it('retry takes mode resume by default, restart when asked, and rejects anything else', async () => {
    const { app, service } = setup();
    service.loops.set('loop_1', makeLoop('loop_1', { stage: 'needs_human' }));
    service.loops.set('loop_2', makeLoop('loop_2', { stage: 'failed' }));

    const plain = await app.request(`${base}/loops/loop_1/retry`, post());
    const restart = await app.request(`${base}/loops/loop_2/retry`, post('{"mode":"restart"}'));
    const bad = await app.request(`${base}/loops/loop_1/retry`, post('{"mode":"later"}'));

    expect(plain.status).toBe(200);
    expect(restart.status).toBe(200);
    expect(service.retryModes).toEqual(['resume', 'restart']);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('needs the bearer token', async () => {
    const { app, service } = setup();
    service.loops.set('loop_1', makeLoop('loop_1'));

    const res = await app.request(`${base}/loops/loop_1/pause`, post(undefined, {}));

    expect(res.status).toBe(401);
    expect(service.loops.get('loop_1')?.paused).toBe(false);
  });

  it('answers 404 for an unknown loop', async () => {
    const { app } = setup();
    const res = await app.request(`${base}/loops/loop_9/approve`, post());
    expect(res.status).toBe(404);
  });
});

describe('worktree routes', () => {
  it('lists worktrees and runs a cleanup with force when asked', async () => {
    const { app, service } = setup();
    service.worktrees.push({
      loop_id: 'loop_1',
      path: '/data/worktrees/loop_1',
      branch: 'looper/1-x',
      repo_path: '/src/x',
      stage: 'ready',
      dirty: false,
      disk_bytes: 4096,
      created_at: '2030-01-01T00:00:00.000Z',
      finished_at: null,
    });

    const list = await app.request(`${base}/worktrees`);
    const cleanup = await app.request(`${base}/worktrees/cleanup`, post());
    const forced = await app.request(`${base}/worktrees/cleanup`, post('{"force":true}'));

    expect(await list.json()).toMatchObject({ ok: true, data: [{ loop_id: 'loop_1' }] });
    expect(cleanup.status).toBe(200);
    expect(forced.status).toBe(200);
    expect(service.cleanups).toEqual([{ force: false }, { force: true }]);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoopRunner } from '../runner/index.js';
import { openStore } from '../store/index.js';
import { createScheduler } from './scheduler.js';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('scheduler: lease expiry while running', () => {
  it('takes over an entry whose claimer stopped renewing its lease', async () => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'looper-lease-')), clock });
    const project = await store.projects.createProject({
      name: 'p',
      forge: 'local',
      path: '/tmp/p',
    });
    const loop = await store.loops.createLoop({
      projectId: project.id,
      kind: 'issue',
      number: 1,
      title: 't',
    });
    await store.queue.enqueue({ loopId: loop.id, queue: 'manual', dedupeKey: `loop:${loop.id}` });
    // Another (now dead) node claimed it with a 60 s lease.
    expect(
      await store.queue.claim({ owner: 'node_dead', leaseMs: 60_000, now, limit: 1 }),
    ).toHaveLength(1);
    let advanced: (id: string) => void = () => undefined;
    const ran = new Promise<string>((resolve) => {
      advanced = resolve;
    });
    const runner: LoopRunner = {
      advance: async (id) => {
        advanced(id);
        return { kind: 'done' };
      },
      control: async () => {
        throw new Error('not used');
      },
      watch: async () => {
        throw new Error('not used');
      },
    };
    const scheduler = createScheduler({
      store,
      runner,
      clock,
      log,
      nodeId: 'node_live',
      maxConcurrent: 1,
      leaseMs: 60_000,
      pollMs: 20,
    });
    now += 61_000;
    scheduler.start();
    expect(await ran).toBe(loop.id);
    await scheduler.stop(1_000);
    await store.close();
  });
});

// Several Store connections on one SQLite file claim from the same queue at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { manualClock } from './test-helpers.js';

const opened: Store[] = [];
let dataDir = '';

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('queue claims under concurrency', () => {
  it('never hands the same entry to two claimers', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
    const clock = manualClock();
    for (let i = 0; i < 4; i += 1) opened.push(await openStore({ dataDir, clock }));
    const [first] = opened;
    if (!first) throw new Error('no store');
    const project = await first.projects.createProject({ name: 'p', forge: 'local', path: '/p' });
    const total = 120;
    for (let n = 1; n <= total; n += 1) {
      const loop = await first.loops.createLoop({
        projectId: project.id,
        kind: 'issue',
        number: n,
        title: `#${n}`,
      });
      const queue = n % 3 === 0 ? 'manual' : n % 3 === 1 ? 'planned' : 'auto';
      await first.queue.enqueue({ loopId: loop.id, queue, dedupeKey: `loop:${loop.id}` });
    }

    // 4 stores × 2 claimers each, every claimer looping small claims until the queue is empty.
    const claimers = opened.flatMap((store, s) =>
      [0, 1].map(async (c) => {
        const owner = `node-${s}-${c}`;
        const got: string[] = [];
        for (;;) {
          const batch = await store.queue.claim({
            owner,
            leaseMs: 60_000,
            now: clock.now(),
            limit: 3,
          });
          if (batch.length === 0) break;
          got.push(...batch.map((e) => e.id));
          await Promise.resolve();
        }
        return got;
      }),
    );
    const results = await Promise.all(claimers);

    const all = results.flat();
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    expect(results.filter((r) => r.length > 0).length).toBeGreaterThan(1);
    expect(await first.queue.countQueue()).toEqual({ queued: 0, claimed: total });
    const owners = new Set((await first.queue.listQueue()).map((e) => e.leaseOwner));
    expect(owners.size).toBeGreaterThan(1);
  });
});

// End to end on the built bins: `looper queue list` shows a loop waiting for the only slot, a claimed
// entry cannot be removed (409), `looper queue clear --yes` cancels the waiting loop and it stays
// cancelled across a daemon restart (recovery does not queue it again), and `looper failures` lists
// a loop that ended needs_human with its reason and what to do next.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView, QueueEntryView, QueueRemovedView } from '../src/api/index.js';
import { api, waitForFile, waitForStage } from './support/loop-events.js';
import {
  createLooperEnv,
  type LooperEnv,
  makeRepo,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';
import { killGroups, markerPath, readMarker, testAgentEnv } from './support/test-agent.js';

let env: LooperEnv | undefined;
const groups: number[] = [];
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
  killGroups(groups);
});

async function startLoop(looper: LooperEnv, repo: string, title: string): Promise<string> {
  const started = await looper.json<LoopView>(['run', '--repo', repo, '--title', title]);
  expect(started.code).toBe(0);
  return started.data.id;
}

interface FailureEntry {
  loop_id: string;
  stage: string;
  reason: string | null;
  last_failure: { failure_class: string | null } | null;
  next: string[];
}

describe('looper queue and looper failures', () => {
  it('lists a waiting loop, clears it for good across a restart, and lists a loop that needs a person', async () => {
    const dir = tempDir('looper-queue-');
    const looper = await createLooperEnv({
      env: {
        ...testAgentEnv({ dir, blockRole: 'worker' }),
        LOOPER_DAEMON_MAX_CONCURRENT_LOOPS: '1',
        LOOPER_DAEMON_SHUTDOWN_GRACE_SECS: '1',
        LOOPER_SCHEDULER_RETRY_BASE_DELAY_SECS: '0.1',
      },
    });
    env = looper;
    const first = looper.spawnDaemon();
    await waitForOutput(first, /listening on/);
    const repo = makeRepo({ 'README.md': '# sample\n' });

    // The first loop holds the only slot (its worker blocks); the second waits behind it.
    const holder = await startLoop(looper, repo, 'Hold the slot');
    const marker = markerPath(dir, 'worker', holder);
    await waitForFile(marker, 30_000);
    groups.push(readMarker(marker).pid);
    const waiting = await startLoop(looper, repo, 'Wait your turn');

    const listed = await looper.json<QueueEntryView[]>(['queue', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.data.map((e) => [e.loop_id, e.state, e.queue])).toEqual([
      [holder, 'claimed', 'manual'],
      [waiting, 'queued', 'manual'],
    ]);
    const [held, queued] = listed.data as [QueueEntryView, QueueEntryView];
    expect(held.owner).toEqual(expect.any(String));
    expect(Date.parse(held.lease_expires_at ?? '')).toBeGreaterThan(Date.now());
    expect(queued).toMatchObject({ title: 'Wait your turn', stage: 'queued', attempts: 0 });
    const table = await looper.cli(['queue', 'list']);
    expect(table.stdout).toMatch(new RegExp(`${queued.id}\\s+${waiting}\\s+manual\\s+queued`));
    expect(table.stdout).toContain(`claimed by ${held.owner}`);

    // A claimed entry is a running loop: refused, pointing at `looper run cancel`.
    const refused = await fetch(`${looper.url}/api/v1/queue/${held.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${looper.token()}` },
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining(`looper run cancel ${holder}`) },
    });

    // Not on a terminal and no --yes: a usage error that changes nothing.
    const unconfirmed = await looper.cli(['queue', 'clear']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect((await api<QueueEntryView[]>(looper, '/queue?state=queued')).length).toBe(1);

    const cleared = await looper.json<{ removed: QueueRemovedView[]; skipped: unknown[] }>([
      'queue',
      'clear',
      '--yes',
    ]);
    expect(cleared.code).toBe(0);
    expect(cleared.data.skipped).toEqual([]);
    expect(cleared.data.removed).toMatchObject([
      { loop_id: waiting, cancelled: true, stage: 'cancelled', entry: { id: queued.id } },
    ]);
    expect(cleared.data.removed[0]?.reason).toMatch(
      /^removed from the queue by .*looper queue clear/,
    );
    expect((await api<QueueEntryView[]>(looper, '/queue')).map((e) => e.loop_id)).toEqual([holder]);

    // Restart; the next planner runs fail, so a new loop ends needs_human.
    const stop = await looper.cli(['daemon', 'stop']);
    expect(stop.code).toBe(0);
    if (first.exitCode === null && first.signalCode === null) await once(first, 'exit');
    const second = looper.spawnDaemon({
      LOOPER_AGENT_ENV_E2E_FAIL_ROLE: 'planner',
      LOOPER_AGENT_ENV_E2E_FAIL_TIMES: '3',
    });
    await waitForOutput(second, /listening on/);

    const after = await api<LoopView>(looper, `/loops/${waiting}`);
    expect(after).toMatchObject({ stage: 'cancelled', runs: [] });
    expect(after.reason).toMatch(/^removed from the queue by /);
    expect((await api<QueueEntryView[]>(looper, '/queue')).map((e) => e.loop_id)).not.toContain(
      waiting,
    );
    const removal = await api<{ type: string; data: Record<string, unknown> }[]>(
      looper,
      `/events?loop=${waiting}`,
    );
    expect(removal.filter((e) => e.type === 'queue.removed')).toMatchObject([
      { data: { entry_id: queued.id, queue: 'manual', cancelled: true } },
    ]);

    const doomed = await startLoop(looper, repo, 'Planner gives up');
    const stages = await waitForStage(looper, doomed);
    expect(stages.at(-1)?.data.to).toBe('needs_human');
    expect((await api<LoopView>(looper, `/loops/${holder}`)).stage).toBe('ready');

    const failures = await looper.json<FailureEntry[]>(['failures']);
    expect(failures.code).toBe(0);
    expect(failures.data.map((f) => f.loop_id)).toEqual([doomed]);
    const [failure] = failures.data as [FailureEntry];
    expect(failure.stage).toBe('needs_human');
    expect(failure.reason).toContain('gave up after 3 attempts');
    expect(failure.last_failure?.failure_class).toEqual(expect.any(String));
    expect(failure.next).toEqual([`looper inspect ${doomed}`, `looper run retry ${doomed}`]);
    const text = await looper.cli(['failures']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${doomed}  needs_human at planning`);
    expect(text.stdout).toContain('gave up after 3 attempts');
    expect(text.stdout).toContain(`looper run retry ${doomed}`);
    expect((await api<QueueEntryView[]>(looper, '/queue')).map((e) => e.loop_id)).not.toContain(
      waiting,
    );
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessGroupAlive, killProcessGroup, processStartTime } from '../agents/index.js';
import type { LoopState } from '../domain/index.js';
import {
  createRunnerFixture,
  type RunnerFixture,
  // biome-ignore lint/style/noRestrictedImports: the runner's shared test fixture, not its public surface.
} from '../runner/runner-fixture.test-support.js';
import { type RecoveryReport, recover } from './recovery.js';

let fx: RunnerFixture;
const children: ChildProcess[] = [];
beforeEach(async () => {
  fx = await createRunnerFixture();
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.pid && child.exitCode === null && child.signalCode === null)
      killProcessGroup(child.pid, 'SIGKILL');
  }
  await fx.close();
});

function runRecovery(): Promise<RecoveryReport> {
  return recover({
    store: fx.store,
    nodeId: fx.nodeId,
    log: fx.deps.log,
    now: () => fx.clock.now(),
    processes: { startTime: processStartTime, killGroup: killProcessGroup },
    emit: (event) => fx.deps.events.emit(event),
  });
}

/** A stand-in for an agent a crashed daemon left behind: its own process group, like the executor's. */
function orphanAgent(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('sleep did not start');
  return child as ChildProcess & { pid: number };
}

async function loopAt(state: Partial<LoopState>, title = 'Some work') {
  const loop = await fx.createLoop({ title });
  await fx.saveState(loop.id, state);
  return fx.store.loops.getLoop(loop.id);
}

async function runningRun(loopId: string, pid: number | null, startTime: string | null) {
  const run = await fx.store.runs.createRun({
    loopId,
    role: 'worker',
    vendor: 'claude-code',
    stage: 'working',
    attempt: 1,
    logPath: '/dev/null',
    nodeId: fx.nodeId,
  });
  if (pid !== null) await fx.store.runs.setRunPid(run.id, pid, startTime);
  return run;
}

describe('recover', () => {
  it('marks a run whose process is gone interrupted', async () => {
    const loop = await loopAt({ stage: 'working' });
    const gone = spawn('true', { stdio: 'ignore' });
    await once(gone, 'exit');
    const run = await runningRun(loop.id, gone.pid ?? -1, '12345');

    const report = await runRecovery();

    expect(report.interruptedRuns).toEqual([run.id]);
    expect(report.killedAgents).toEqual([]);
    expect((await fx.store.runs.getRun(run.id)).status).toBe('interrupted');
    expect((await fx.events(loop.id, 'run.interrupted')).map((e) => e.runId)).toEqual([run.id]);
  });

  it('kills the process group of an agent that outlived its daemon', async () => {
    const loop = await loopAt({ stage: 'working' });
    const agent = orphanAgent();
    const exited = once(agent, 'exit');
    const run = await runningRun(loop.id, agent.pid, processStartTime(agent.pid));

    const report = await runRecovery();

    expect(report.killedAgents).toEqual([agent.pid]);
    expect(await exited).toEqual([null, 'SIGKILL']);
    expect((await fx.store.runs.getRun(run.id)).status).toBe('interrupted');
  });

  it('leaves alone a live process whose start time differs (a reused pid)', async () => {
    const loop = await loopAt({ stage: 'working' });
    const stranger = orphanAgent();
    const startTime = processStartTime(stranger.pid);
    expect(startTime).not.toBeNull();
    const run = await runningRun(loop.id, stranger.pid, `${startTime}0`);

    const report = await runRecovery();

    expect(report.killedAgents).toEqual([]);
    expect(isProcessGroupAlive(stranger.pid)).toBe(true);
    expect(stranger.exitCode).toBeNull();
    expect((await fx.store.runs.getRun(run.id)).status).toBe('interrupted');
  });

  it("returns this node's claims to the queue and keeps another node's live claims", async () => {
    const mine = await loopAt({ stage: 'working' }, 'Mine');
    const theirs = await loopAt({ stage: 'working' }, 'Theirs');
    for (const loop of [mine, theirs])
      await fx.store.queue.enqueue({ loopId: loop.id, queue: 'manual', dedupeKey: loop.id });
    const now = fx.clock.now();
    const claim = (owner: string) =>
      fx.store.queue.claim({ owner, leaseMs: 60_000, now, limit: 1 });
    expect((await claim(fx.nodeId))[0]?.loopId).toBe(mine.id);
    expect((await claim('other-node'))[0]?.loopId).toBe(theirs.id);

    const report = await runRecovery();

    expect(report.releasedEntries).toBe(1);
    const entries = await fx.store.queue.listQueue();
    const statusOf = (loopId: string) => entries.find((e) => e.loopId === loopId)?.status;
    expect(statusOf(mine.id)).toBe('queued');
    expect(statusOf(theirs.id)).toBe('claimed');
    expect(report.requeuedLoops).toEqual([]);
  });

  it('queues live loops that lost their entry, and not paused, stopped or waiting ones', async () => {
    const lost = await loopAt({ stage: 'checking' }, 'Lost');
    const queued = await loopAt({ stage: 'working' }, 'Queued');
    await fx.store.queue.enqueue({ loopId: queued.id, queue: 'auto', dedupeKey: 'loop:x' });
    const paused = await loopAt({ stage: 'working', paused: true }, 'Paused');
    const waiting = await loopAt({ stage: 'awaiting_approval' }, 'Waiting');
    const stopped = await loopAt({ stage: 'needs_human', reason: 'stuck' }, 'Stopped');
    const ready = await loopAt({ stage: 'ready' }, 'Ready');

    const report = await runRecovery();

    expect(report.requeuedLoops).toEqual([lost.id]);
    const entries = await fx.store.queue.listQueue();
    expect(entries.map((e) => e.loopId).sort()).toEqual([lost.id, queued.id].sort());
    for (const loop of [paused, waiting, stopped, ready])
      expect(entries.some((e) => e.loopId === loop.id)).toBe(false);
    expect(entries.find((e) => e.loopId === lost.id)).toMatchObject({
      status: 'queued',
      queue: 'manual',
      dedupeKey: `loop:${lost.id}`,
    });
  });
});

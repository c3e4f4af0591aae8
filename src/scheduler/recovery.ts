// Recovery at start (DESIGN "Crash"): runs whose process is gone become `interrupted`; agents a crashed
// daemon left behind are killed (recognised by pid AND start time, so a reused pid is never hit); this
// node's old claims return to the queue; live loops without a queue entry get one.
import { isTerminalStage } from '../domain/index.js';
import type { RunnerLog } from '../runner/index.js';
import type { Store } from '../store/index.js';

export interface ProcessTable {
  startTime(pid: number): string | null;
  killGroup(pid: number, signal: NodeJS.Signals): boolean;
}

export interface RecoveryDeps {
  store: Store;
  processes: ProcessTable;
  nodeId: string;
  now: () => number;
  log: RunnerLog;
  emit: (event: {
    loopId?: string;
    runId?: string;
    type: string;
    data: Record<string, unknown>;
  }) => Promise<unknown>;
}

export interface RecoveryReport {
  interruptedRuns: string[];
  killedAgents: number[];
  releasedEntries: number;
  requeuedLoops: string[];
}

export async function recover(deps: RecoveryDeps): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    interruptedRuns: [],
    killedAgents: [],
    releasedEntries: 0,
    requeuedLoops: [],
  };
  for (const run of await deps.store.runs.listRunningRuns()) {
    if (
      run.pid !== null &&
      run.pidStartTime !== null &&
      deps.processes.startTime(run.pid) === run.pidStartTime
    ) {
      // Still ours: the agent outlived its daemon. Stop it; the loop re-runs the role.
      deps.processes.killGroup(run.pid, 'SIGKILL');
      report.killedAgents.push(run.pid);
    }
    await deps.store.runs.finishRun(run.id, {
      status: 'interrupted',
      errorMessage: 'the daemon stopped while this run was active',
    });
    await deps.emit({
      loopId: run.loopId,
      runId: run.id,
      type: 'run.interrupted',
      data: { role: run.role, pid: run.pid },
    });
    report.interruptedRuns.push(run.id);
  }
  for (const entry of await deps.store.queue.listQueue({ status: ['claimed'] })) {
    if (entry.leaseOwner !== deps.nodeId) continue;
    if (await deps.store.queue.release(entry.id, deps.nodeId, { error: 'daemon restarted' }))
      report.releasedEntries++;
  }
  report.releasedEntries += (await deps.store.queue.expireLeases(deps.now())).length;
  const live = new Set(
    (await deps.store.queue.listQueue({ status: ['queued', 'claimed'] })).map(
      (e) => e.loopId as string,
    ),
  );
  for (const loop of await deps.store.loops.listLoops({ active: true, limit: 10_000 })) {
    if (
      isTerminalStage(loop.stage) ||
      loop.paused ||
      loop.stage === 'awaiting_approval' ||
      live.has(loop.id)
    )
      continue;
    await deps.store.queue.enqueue({
      loopId: loop.id,
      queue: 'manual',
      dedupeKey: `loop:${loop.id}`,
    });
    report.requeuedLoops.push(loop.id);
  }
  if (report.interruptedRuns.length + report.releasedEntries + report.requeuedLoops.length > 0) {
    deps.log.warn({ ...report }, 'recovered work left by a previous daemon');
  }
  return report;
}
